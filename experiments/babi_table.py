"""The bAbI table: MemN2N's per-task test error on the real release, run by `experiments.reproduce`.

A bAbI row (`memn2n_babi_1k`, `memn2n_babi_1k_joint`) trains the
`memn2n_babi` config by epochs (`memnets.qa.training`) for every seed: one
model per task, or one model on all 20 tasks together (joint). Its result
keeps each task's test and training error per seed, and reports the
paper's statistic, the test error of the seed with the lowest training
error, with the mean ± sd over seeds beside it. `render` draws a line per
task into docs/results.md between BABI_START and BABI_END.
"""

import importlib
import json
import pathlib
import time

import ml_collections
import numpy as np

from experiments import babi_run
from experiments.row import Row

PAPER = "Sukhbaatar et al. 2015, Table 1"
STATISTIC = "best of 10 runs by training error"
TASK_IDS = tuple(range(1, 21))
SMOKE_TASK_IDS = (1,)  # the smoke variant's data: the offline generator's task 1
FAILED_ABOVE = 5.0
# Table 1's numbers at hand (the joint column reprinted in one public README;
# the per-task column's mean only): test error (%).
_JOINT = (0.0, 11.4, 21.9, 13.4, 14.4, 2.8, 18.3, 9.3, 1.9, 6.5, 0.3, 0.1, 0.2, 6.9, 0.0, 2.7, 40.4,
          9.4, 88.0, 0.0)  # fmt: skip
PUBLISHED = {"memn2n_babi_1k_joint": dict(zip(TASK_IDS, _JOINT, strict=True))}
PUBLISHED_MEAN = {"memn2n_babi_1k": 13.9, "memn2n_babi_1k_joint": 12.4}
BABI_START = "<!-- babi:table:start -->"
BABI_END = "<!-- babi:table:end -->"


_NOTE = "the paper's settings for one model per task; its joint runs used other sizes (not yet)"


def rows() -> list[tuple[str, Row]]:
  """The bAbI rows: per-task and joint training on the 1k set."""
  common = dict(
    paper=PAPER, published="–", published_statistic=STATISTIC, config="memn2n_babi",
    seeds=10, steps=100, metric="test_error_percent",
    metric_description="test error (%), the seed with the lowest training error",
  )  # fmt: skip
  per_task = Row(
    name="memn2n_babi_1k", setting="bAbI 1k, MemN2N PE LS RN, 3 hops, one model per task",
    overrides={"task.data_dir": "../shared/babi/en"}, note=_NOTE, **common,
  )  # fmt: skip
  joint = Row(
    name="memn2n_babi_1k_joint", setting="bAbI 1k, MemN2N PE LS RN, 3 hops, one model on all 20",
    overrides={"task.data_dir": "../shared/babi/en"}, note=_NOTE, **common,
  )  # fmt: skip
  return [(per_task.name, per_task), (joint.name, joint)]


def build_config(row: Row, seed: int, epochs: int, smoke: bool) -> ml_collections.ConfigDict:
  """The row's config for one seed: the file's (`:smoke` variant if asked), its overrides, the epochs."""
  module = importlib.import_module(f"experiments.configs.{row.config}")
  config = module.get_config("smoke" if smoke else None)
  for dotted, value in row.overrides.items():
    if smoke and dotted == "task.data_dir":
      continue  # the smoke variant reads the offline generator's data
    section, field = dotted.split(".")
    if field not in config[section]:
      raise KeyError(f"row {row.name}: override {dotted!r} names no field of {row.config}")
    config[section][field] = value
  config.train.seed = seed
  config.train.epochs = epochs
  return config


def run_row(row: Row, seeds: int, epochs: int, workdir: pathlib.Path, smoke: bool = False) -> dict:
  """Every seed of `row` (and every task, unless joint); the result ROW.json holds."""
  joint = row.name.endswith("_joint")
  task_ids = SMOKE_TASK_IDS if smoke else TASK_IDS
  groups = [task_ids] if joint else [(t,) for t in task_ids]
  test = {str(t): [] for t in task_ids}
  train = {str(t): [] for t in task_ids}
  began = time.perf_counter()
  for seed in range(seeds):
    for group in groups:
      config = build_config(row, seed, epochs, smoke)
      config.task.babi_task = group
      path = workdir / f"seed{seed}" / ("joint" if joint else f"qa{group[0]}")
      summary = finished(config, path) or babi_run.run(config, path)
      for task in group:
        test[str(task)].append(summary["test_error_percent"][str(task)])
        train[str(task)].append(summary["train_error_percent"][str(task)])
  return {"test_per_seed": test, "train_per_seed": train, "wall_sec": time.perf_counter() - began,
          "num_seeds": seeds, "steps": epochs, "joint": joint, "config": config.to_dict()}  # fmt: skip


def finished(config: ml_collections.ConfigDict, path: pathlib.Path) -> dict | None:
  """The summary of a run of `config` already in `path` (a rerun row reuses it), or None.

  Raises ValueError, naming the file, where `path` holds a run of another config.
  """
  if not (path / "summary.json").exists():
    return None
  saved = json.loads((path / "config.json").read_text())
  if saved != json.loads(config.to_json()):
    raise ValueError(f"{path / 'config.json'}: a run of another config; choose another --workdir")
  return json.loads((path / "summary.json").read_text())


def selected(result: dict) -> dict[str, float]:
  """Each task's test error of its seed with the lowest training error (the paper's choice)."""
  out = {}
  for task, errors in result["test_per_seed"].items():
    out[task] = errors[int(np.argmin(result["train_per_seed"][task]))]
  return out


def render(results: list[dict]) -> str:
  """A line per task: each bAbI row's selected test error and its mean ± sd over seeds."""
  results = sorted(results, key=lambda r: r["row"])
  head = "| task | " + " | ".join(
    f"`{r['row']}`: best by training (paper) / mean ± sd" for r in results
  )
  lines = [head + " |", "| --- |" + " --- |" * len(results)]
  chosen = [selected(r) for r in results]
  tasks = sorted({int(t) for r in results for t in r["test_per_seed"]})
  for task in tasks:
    cells = []
    for result, best in zip(results, chosen, strict=True):
      errors = np.asarray(result["test_per_seed"].get(str(task), []), dtype=float)
      paper = PUBLISHED.get(result["row"], {}).get(task)
      paper = "–" if paper is None else f"{paper:.1f}"
      cells.append(f"**{best[str(task)]:.1f}** ({paper}) / {errors.mean():.1f} ± {errors.std():.1f}"
                   if len(errors) else "·")  # fmt: skip
    lines.append(f"| {task} | " + " | ".join(cells) + " |")
  summary = []
  for result, best in zip(results, chosen, strict=True):
    values = list(best.values())
    failed = sum(v > FAILED_ABOVE for v in values)
    paper = PUBLISHED_MEAN.get(result["row"])
    paper = "" if paper is None else f" (paper: mean {paper:.1f})"
    summary.append(f"mean {np.mean(values):.1f}, failed {failed}{paper}")
  lines.append("| all | " + " | ".join(summary) + " |")
  budget = "; ".join(f"`{r['row']}`: {r['num_seeds']} seeds × {r['steps']} epochs"
                     + (" SMOKE" if r.get("smoke") else "") for r in results)  # fmt: skip
  return "\n".join(lines) + ("\n\n" + budget if results else "")
