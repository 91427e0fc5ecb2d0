"""Runs one row of the reproduction table, or renders the table: the reproduction binary.

  python -m experiments.reproduce ROW [--seeds=K] [--steps=N] [--workdir=DIR] [--overwrite]
  python -m experiments.reproduce --table
  python -m experiments.reproduce --list
  python -m experiments.reproduce --chomsky_figure=TASK
  python -m experiments.reproduce --sweep_figure=ROW[,ROW...] [--sweep_metric=token_accuracy]

A row (experiments/rows.py) is a paper result and the protocol that measures
it: a config file with overrides, the training steps, the evaluation (every
`eval_every` steps on `eval_sequences` fresh sequences of the training
lengths, per seed), the generalisation sweep, and the published number with
its statistic. Running a row trains K seeds at once (vmapped, one program),
sweeps them, and writes `results/ROW.json`: every seed's numbers, their
median, best and mean ± sd, steps, wall time, hardware, memnets' git commit
and the exact command. `--table` renders the table of docs/results.md (the
part between its two markers) from every `results/*.json`; no number in it
is typed by hand.

An existing `results/ROW.json` is never replaced without --overwrite; the
workdir (default workdirs/reproduce/ROW) holds checkpoints and metrics, and a
second run with the same workdir resumes it (the JSON then says so).
"""

import json
import pathlib
import shlex
import sys

from absl import app, flags, logging

from experiments import chomsky_table, cli, platform, reproduction, rows
from memnets import training

_SEEDS = flags.DEFINE_integer("seeds", None, "Seeds to train (default: the row's).")
_STEPS = flags.DEFINE_integer("steps", None, "Training steps (default: the row's).")
_WORKDIR = flags.DEFINE_string("workdir", None, "Workdir (default: workdirs/reproduce/ROW).")
_RESULTS = flags.DEFINE_string(
  "results_dir", str(reproduction.RESULTS_DIR), "Where ROW.json is written."
)
_OVERWRITE = flags.DEFINE_bool("overwrite", False, "Replace an existing results/ROW.json.")
_TABLE = flags.DEFINE_bool("table", False, "Render docs/results.md from results/*.json.")
_DOC = flags.DEFINE_string("doc", str(reproduction.TABLE_DOC), "The document --table rewrites.")
_LIST = flags.DEFINE_bool("list", False, "List the rows and exit.")
_SWEEP_FIGURE = flags.DEFINE_list(
  "sweep_figure",
  None,
  "Plot these rows' length sweeps (every seed) from results/ into docs/figures/sweep_<row>.png.",
)
_SWEEP_METRIC = flags.DEFINE_string(
  "sweep_metric", None, "--sweep_figure's metric (default: the sweep's)."
)
_CHOMSKY_FIGURE = flags.DEFINE_string(
  "chomsky_figure",
  None,
  "Plot this Chomsky task's accuracy against length, a line per model, from results/.",
)
_SMOKE = flags.DEFINE_bool(
  "smoke", False, "Run the row on its config's :smoke variant (seconds; to check the protocol)."
)


def main(argv):
  if _SWEEP_FIGURE.value:
    paths = [pathlib.Path(_RESULTS.value) / f"{name}.json" for name in _SWEEP_FIGURE.value]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
      sys.exit(f"error: --sweep_figure: no {', '.join(missing)}")
    path = reproduction.ROOT / "docs" / "figures" / f"sweep_{_SWEEP_FIGURE.value[0]}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
      results = [json.loads(p.read_text()) for p in paths]
      print(reproduction.plot_sweeps(results, path, _SWEEP_METRIC.value))
    except ValueError as error:
      sys.exit(f"error: --sweep_figure: {error}")
    return
  if _CHOMSKY_FIGURE.value is not None:
    results = [
      json.loads(p.read_text()) for p in sorted(pathlib.Path(_RESULTS.value).glob("chomsky_*.json"))
    ]
    path = reproduction.ROOT / "docs" / "figures" / f"chomsky_{_CHOMSKY_FIGURE.value}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
      print(chomsky_table.plot_task(_CHOMSKY_FIGURE.value, results, path))
    except ValueError as error:
      sys.exit(f"error: --chomsky_figure: {error}")
    return
  if _TABLE.value or _LIST.value:
    if len(argv) > 1:
      raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
    if _LIST.value:
      for name, row in rows.ROWS.items():
        print(f"{name}: {row.paper}; {row.setting}")
      return
    count = reproduction.write_table(pathlib.Path(_RESULTS.value), pathlib.Path(_DOC.value))
    print(f"{_DOC.value}: {count} rows")
    return
  if len(argv) != 2:
    raise app.UsageError("Give one ROW (--list shows them), or --table.")
  name = argv[1]
  if name not in rows.ROWS:
    raise SystemExit(f"error: unknown row {name!r}; known: {', '.join(rows.ROWS)}")
  row = rows.ROWS[name]
  seeds = row.seeds if _SEEDS.value is None else _SEEDS.value
  steps = row.steps if _STEPS.value is None else _STEPS.value
  for flag, value in (("--seeds", seeds), ("--steps", steps)):
    if value < 1:
      raise SystemExit(f"error: {flag} must be >= 1, got {value}")
  out = pathlib.Path(_RESULTS.value) / f"{name}.json"
  if out.exists() and not _OVERWRITE.value:
    raise SystemExit(f"error: {out} exists; pass --overwrite to replace it")
  if not out.parent.is_dir():
    raise SystemExit(f"error: --results_dir {out.parent} is not a directory")
  workdir = pathlib.Path(_WORKDIR.value or reproduction.ROOT / "workdirs" / "reproduce" / name)
  workdir.parent.mkdir(parents=True, exist_ok=True)
  platform.setup()
  cli.quiet_checkpoint_logs()
  command = "python -m experiments.reproduce " + " ".join(
    shlex.quote(a)
    for a in [name, f"--seeds={seeds}", f"--steps={steps}"] + ["--smoke"] * _SMOKE.value
  )
  logging.info("Row %s: %d seeds, %d steps, workdir %s", name, seeds, steps, workdir)
  try:
    result = reproduction.run_row(row, seeds, steps, workdir, command, _SMOKE.value)
  except training.ConfigError as error:
    sys.exit(f"error: {error}")
  out.write_text(json.dumps(result, indent=2) + "\n")
  print(out)


if __name__ == "__main__":
  app.run(main)
