"""Running a row of the reproduction table and rendering the table (experiments/reproduce.py's library).

`run_row` trains, evaluates and sweeps one `rows.Row` and returns what
`results/ROW.json` holds; `write_table` renders the table of docs/results.md
(between its two markers) from every `results/*.json`. No flags here: the
binary is experiments/reproduce.py.
"""

import importlib
import json
import os
import pathlib
import platform as std_platform
import subprocess
import time

import jax
import numpy as np

from experiments import babi_table, chomsky_table, rows, sequence_table, transduction_table
from memnets import training
from memnets.figures import sweep as sweep_figures
from memnets.training import evaluation

ROOT = pathlib.Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "results"
TABLE_DOC = ROOT / "docs" / "results.md"
TABLE_START = "<!-- reproduce:table:start -->"
TABLE_END = "<!-- reproduce:table:end -->"

SMOKE_SWEEP_SEQUENCES = 8


def _git_commit() -> str:
  try:
    commit = subprocess.run(
      ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    dirty = subprocess.run(
      ["git", "status", "--porcelain", "--untracked-files=no"],
      cwd=ROOT,
      capture_output=True,
      text=True,
      check=True,
    ).stdout.strip()
  except (OSError, subprocess.CalledProcessError):
    return "unknown"
  return commit + ("+uncommitted" if dirty else "")


def _hardware() -> dict:
  device = jax.devices()[0]
  return {
    "platform": device.platform,
    "device_kind": device.device_kind,
    "devices": jax.device_count(),
    "cpu_count": os.cpu_count(),
    "machine": std_platform.machine(),
  }


def _stats(values) -> dict:
  values = np.asarray(values, np.float64)
  return {
    "per_seed": [float(v) for v in values],
    "median": float(np.median(values)),
    "mean": float(np.mean(values)),
    "std": float(np.std(values)),
    "min": float(np.min(values)),
    "max": float(np.max(values)),
  }


def _eval_history(workdir: pathlib.Path, metric: str, num_seeds: int):
  """Per seed, the (step, value) of every evaluation, and the elapsed time at each logged step."""
  evals = [[] for _ in range(num_seeds)]
  elapsed = {}
  for line in (workdir / "metrics.jsonl").read_text().splitlines():
    row = json.loads(line)
    if "aggregate" in row or "event" in row:
      continue
    seed = row.get("seed", 0)
    if f"eval/{metric}" in row:
      evals[seed].append((row["step"], float(row[f"eval/{metric}"])))
    if "elapsed_sec" in row:
      elapsed[row["step"]] = float(row["elapsed_sec"])
  return evals, elapsed


def _solve_report(row: rows.Row, evals, elapsed) -> dict:
  """First evaluation at or below the row's threshold, and the worst one after it, per seed."""
  steps, times, worst = [], [], []
  for history in evals:
    first = next((i for i, (_, v) in enumerate(history) if v <= row.solved_below), None)
    if first is None:
      steps.append(None)
      times.append(None)
      worst.append(None)
      continue
    step = history[first][0]
    steps.append(step)
    times.append(elapsed.get(step))
    worst.append(max(v for _, v in history[first:]))
  solved = [s for s in steps if s is not None and s <= row.solve_within]
  stable = [
    s
    for s, w in zip(steps, worst, strict=True)
    if s is not None and s <= row.solve_within and w <= row.relapse_above
  ]
  known_times = [t for t in times if t is not None]
  return {
    "threshold": row.solved_below,
    "within_steps": row.solve_within,
    "relapse_above": row.relapse_above,
    "step_per_seed": steps,
    "elapsed_sec_per_seed": times,
    "worst_after_solving_per_seed": worst,
    "solved": len(solved),
    "solved_and_stable": len(stable),
    "median_step": float(np.median(solved)) if solved else None,
    "median_elapsed_sec": float(np.median(known_times)) if known_times else None,
  }


def run_row(
  row: rows.Row,
  seeds: int,
  steps: int,
  workdir: pathlib.Path,
  command: str,
  smoke: bool = False,
) -> dict:
  """Trains, evaluates and sweeps `row`; returns its result (what ROW.json holds)."""
  commit = _git_commit()  # the code that runs, before anything else can change the tree
  module = importlib.import_module(f"experiments.configs.{row.config}")
  own_runs = None
  if module.get_config().task.get("name") == "babi":  # trained by epochs over files
    own_runs = babi_table.run_row
  elif row.name in sequence_table.ROW_NAMES:  # trained by a runner, one run per seed
    own_runs = sequence_table.run_row
  if own_runs is not None:
    resumed = workdir.exists() and any(workdir.iterdir())
    result = own_runs(row, seeds, steps, workdir, smoke)
    return {
      "row": row.name, "paper": row.paper, "setting": row.setting, "published": row.published,
      "published_statistic": row.published_statistic, "metric": row.metric,
      "metric_description": row.metric_description, "command": command,
      "seeds": list(range(seeds)), **result, "train_sec": result["wall_sec"],
      "resumed": resumed, "smoke": smoke, "hardware": _hardware(), "git_commit": commit,
      "date": time.strftime("%Y-%m-%d"), "note": row.note,
    }  # fmt: skip
  config = row.build_config(seeds, steps, smoke)
  sweep_lengths = tuple(config.task.eval_lengths) if smoke else row.sweep_lengths
  sweep_sequences = SMOKE_SWEEP_SEQUENCES if smoke else row.sweep_sequences
  resumed = (workdir / "config.json").exists()
  began = time.perf_counter()
  summary = training.train_and_evaluate(config, workdir)
  train_sec = time.perf_counter() - began
  sweep, _ = evaluation.sweep_workdir(
    workdir, sweep_lengths, num_sequences=sweep_sequences, batch_size=row.sweep_batch_size
  )
  wall_sec = time.perf_counter() - began
  evals, elapsed = _eval_history(workdir, row.metric, seeds)
  result = {
    "row": row.name,
    "paper": row.paper,
    "setting": row.setting,
    "published": row.published,
    "published_statistic": row.published_statistic,
    "metric": row.metric,
    "metric_description": row.metric_description,
    "command": command,
    "config": config.to_dict(),
    "num_seeds": seeds,
    "seeds": list(range(config["train"]["seed"], config["train"]["seed"] + seeds)),
    "steps": summary["step"],
    "final": _stats(summary["per_seed"][row.metric]),
    "final_per_seed": summary["per_seed"],  # every metric at training lengths, per seed
    "eval_history": [[[s, v] for s, v in history] for history in evals],
    "sweep": {
      "lengths": [int(v) for v in sweep.lengths],
      "num_sequences": sweep_sequences,
      "per_seed": sweep.metrics[row.sweep_metric].tolist(),
      "median": np.median(sweep.metrics[row.sweep_metric], axis=0).tolist(),
      "best": sweep.best(row.sweep_metric).tolist(),
      "metric": row.sweep_metric,
      "also": {name: sweep.metrics[name].tolist() for name in row.also},
    },
    "train_sec": train_sec,
    "wall_sec": wall_sec,
    "resumed": resumed,
    "smoke": smoke,
    "hardware": _hardware(),
    "git_commit": commit,
    "date": time.strftime("%Y-%m-%d"),
    "note": row.note,
  }
  if row.solved_below is not None:
    result["solve"] = _solve_report(row, evals, elapsed)
  if row.reference is not None:
    description, compute = row.reference
    result["reference"] = {"description": description, "value": compute(config)}
  return result


def _number(value) -> str:
  if value is None:
    return "–"
  value = float(value)
  if value == 0:
    return "0"
  if abs(value) >= 100:
    return f"{value:,.0f}"
  return f"{value:.3g}"


def _memnets_cell(result: dict) -> str:
  final = result["final"]
  parts = [
    f"{result['metric_description']}: median {_number(final['median'])}, "
    f"best {_number(final['min'] if result['metric'] != 'sequence_accuracy' else final['max'])}, "
    f"mean {_number(final['mean'])} ± {_number(final['std'])}"
  ]
  solve = result.get("solve")
  if solve:
    parts.append(
      f"{solve['solved']}/{result['num_seeds']} seeds ≤ {_number(solve['threshold'])} "
      f"by step {solve['within_steps']:,} (median step {_number(solve['median_step'])}), "
      f"{solve['solved_and_stable']} never above {_number(solve['relapse_above'])} after"
    )
  reference = result.get("reference")
  if reference:
    parts.append(f"{reference['description']}: {_number(reference['value'])}")
  sweep = result["sweep"]
  if len(sweep["lengths"]) > 1:
    longest = len(sweep["lengths"]) - 1
    parts.append(
      f"length {sweep['lengths'][longest]}: median {_number(sweep['median'][longest])}, "
      f"best {_number(sweep['best'][longest])}"
    )
  if result.get("note"):
    parts.append(result["note"])
  return "; ".join(parts)


def render_table(results: list[dict]) -> str:
  """The markdown table of `results` (one ROW.json each), in the order of `rows.ROWS`."""
  order = {name: i for i, name in enumerate(rows.ROWS)}
  results = sorted(results, key=lambda r: (order.get(r["row"], len(order)), r["row"]))
  lines = [
    "| row | paper | setting | published | memnets | seeds | time, hardware | command |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ]
  for r in results:
    hw = r["hardware"]
    where = f"{hw['cpu_count']}-core CPU" if hw["platform"] == "cpu" else hw["device_kind"]
    time_cell = f"{r['wall_sec'] / 60:.0f} min, {where}, {r['steps']:,} steps"
    if r.get("resumed"):
      time_cell += " (resumed)"
    if r.get("smoke"):
      time_cell += " (SMOKE: tiny model, not a result)"
    cells = [
      f"`{r['row']}`",
      r["paper"],
      r["setting"],
      f"{r['published']} ({r['published_statistic']})",
      _memnets_cell(r),
      str(r["num_seeds"]),
      time_cell,
      f"`{r['command']}`",
    ]
    lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
  return "\n".join(lines)


def write_table(results_dir: pathlib.Path, doc: pathlib.Path) -> int:
  """Rewrites the table between the markers of `doc`; returns the number of rows."""
  files = sorted(results_dir.glob("*.json"))
  results = []
  for path in files:
    try:
      results.append(json.loads(path.read_text()))
    except json.JSONDecodeError as error:
      raise SystemExit(f"error: {path}: not valid JSON ({error})") from None
  grid = [r for r in results if r["row"].startswith("chomsky_")]
  transduction = [r for r in results if r["row"].startswith("grefenstette_")]
  babi_rows = [r for r in results if r["row"] in babi_table.ROW_NAMES]
  sequence = [r for r in results if r["row"] in sequence_table.ROW_NAMES]
  table_rows = [r for r in results if r not in grid + transduction + babi_rows + sequence]
  text = doc.read_text()
  text = _between(text, TABLE_START, TABLE_END, render_table(table_rows), doc)
  text = _between(text, chomsky_table.CHOMSKY_START, chomsky_table.CHOMSKY_END,
                  chomsky_table.render(grid), doc)  # fmt: skip
  text = _between(text, transduction_table.TRANSDUCTION_START, transduction_table.TRANSDUCTION_END,
                  transduction_table.render(transduction), doc)  # fmt: skip
  text = _between(text, babi_table.BABI_START, babi_table.BABI_END, babi_table.render(babi_rows),
                  doc)  # fmt: skip
  text = _between(text, sequence_table.SEQUENCE_START, sequence_table.SEQUENCE_END,
                  sequence_table.render(sequence), doc)  # fmt: skip
  doc.write_text(text)
  return len(results)


def _between(text: str, start: str, end: str, table: str, doc: pathlib.Path) -> str:
  """`text` with what lies between the markers `start` and `end` replaced by `table`."""
  if start not in text or end not in text:
    raise SystemExit(f"error: {doc} lacks the markers {start} and {end}")
  head, rest = text.split(start, 1)
  _, tail = rest.split(end, 1)
  return f"{head}{start}\n{table}\n{end}{tail}"


def plot_sweeps(results: list[dict], path: pathlib.Path, metric: str | None = None) -> pathlib.Path:
  """Every seed's generalisation sweep of each row in `results`: the metric against length.

  The first row's training lengths are shaded; a sweep over decades gets a log axis.
  `metric`: the sweep's own metric (None) or one of the sweep's `also`
  metrics (token_accuracy, ...). Raises ValueError for a row without a
  sweep or without that metric.
  """
  curves = {}
  for result in results:
    sweep = result.get("sweep")
    if not sweep:
      raise ValueError(f"row {result['row']} has no length sweep")
    per_seed = sweep["per_seed"] if metric in (None, sweep["metric"]) else sweep["also"].get(metric)
    if per_seed is None:
      raise ValueError(f"row {result['row']}: no sweep metric {metric!r}")
    for seed, values in zip(result["seeds"], per_seed, strict=True):
      curves[f"{result['row']}, seed {seed}"] = (sweep["lengths"], values)
  lengths = [n for lengths, _ in curves.values() for n in lengths]
  first = results[0]["config"]["task"]
  return sweep_figures.plot_models(
    path, curves, metric or results[0]["sweep"]["metric"],
    train_lengths=(first["min_length"], first["max_length"]),
    title=f"shaded: the training lengths of {results[0]['row']}",
    log_lengths=max(lengths) >= 10 * min(lengths),
  )  # fmt: skip
