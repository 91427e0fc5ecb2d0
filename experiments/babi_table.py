"""The bAbI table: per-task test error on the real release, run by `experiments.reproduce`.

A bAbI row trains a bAbI config by epochs (`memnets.qa.training`) for every
seed: one model per task, or one model on all of the row's tasks together
(joint, a name ending in `_joint`). The rows: MemN2N per task and joint on
the 1k set (`memn2n_babi_1k`, `memn2n_babi_1k_joint`), DMN+ per task on the
10k set (`dmn_babi_10k`, the tasks the CPU budget fits), the NTM and the DNC
per task on tasks 1–3 of the 1k set (`ntm_babi_1k`, `dnc_babi_1k`). A
result keeps each task's test and training error per seed, and reports the
test error of the seed with the lowest training error (the MemN2N paper's
choice), with the mean ± sd over seeds beside it. `render` draws a line per
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
READER_TASK_IDS = (1, 2, 3)  # the NTM's and the DNC's rows
DMN_TASK_IDS = (1, 4, 16)  # the 10k tasks run so far (CPU); the release lacks qa3's 10k
SMOKE_TASK_IDS = (1,)  # the smoke variant's data: the offline generator's task 1
FAILED_ABOVE = 5.0
# Table 1's numbers at hand (the joint column reprinted in one public README;
# the per-task column's mean only): test error (%).
_JOINT = (0.0, 11.4, 21.9, 13.4, 14.4, 2.8, 18.3, 9.3, 1.9, 6.5, 0.3, 0.1, 0.2, 6.9, 0.0, 2.7, 40.4,
          9.4, 88.0, 0.0)  # fmt: skip
# Xiong et al. 2016, Table 2 (DMN+, 10k, per task); Graves et al. 2016,
# Extended Data Table 1 (DNC, 10k, joint, mean of 20 runs; tasks 1-3).
_DMN = (0.0, 0.3, 1.1, 0.0, 0.5, 0.0, 2.4, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 0.0, 45.3, 4.2, 2.1,
        0.0, 0.0)  # fmt: skip
PUBLISHED = {
  "memn2n_babi_1k_joint": dict(zip(TASK_IDS, _JOINT, strict=True)),
  "dmn_babi_10k": dict(zip(TASK_IDS, _DMN, strict=True)),
  "dnc_babi_1k": {1: 9.0, 2: 39.2, 3: 39.6},
}
PUBLISHED_MEAN = {"memn2n_babi_1k": 13.9, "memn2n_babi_1k_joint": 12.4, "dmn_babi_10k": 2.8,
                  "dnc_babi_1k": 16.7, "ntm_babi_1k": 28.5}  # fmt: skip
ROW_TASKS = {"dmn_babi_10k": DMN_TASK_IDS, "ntm_babi_1k": READER_TASK_IDS,
             "dnc_babi_1k": READER_TASK_IDS}  # fmt: skip
ROW_NAMES = ("memn2n_babi_1k", "memn2n_babi_1k_joint", "dmn_babi_10k", "ntm_babi_1k", "dnc_babi_1k")
BABI_START = "<!-- babi:table:start -->"
BABI_END = "<!-- babi:table:end -->"


_NOTE = "the paper's settings for one model per task"
_JOINT_NOTE = "the paper's joint settings: d = 50, 60 epochs, the rate halved every 15"


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
    overrides={"task.data_dir": "../shared/babi/en", "model.dim": 50, "train.halve_every": 15},
    note=_JOINT_NOTE, **{**common, "steps": 60},
  )  # fmt: skip
  readers = dict(
    published="–", seeds=2, steps=30, metric="test_error_percent",
    metric_description="test error (%), the seed with the lowest training error",
    published_statistic="mean of 20 runs, one model on all 20 tasks of the 10k set",
  )  # fmt: skip
  adam = {"train.optimizer": "adam", "train.learning_rate": 1e-3}
  dmn = Row(
    name="dmn_babi_10k", paper="Xiong et al. 2016, Table 2", config="dmn_babi",
    setting="bAbI 10k, DMN+, 3 passes, one model per task", published="–",
    published_statistic="one run (unstable tasks: best of 10 by validation loss)", seeds=1,
    steps=40, metric="test_error_percent",
    metric_description="test error (%), the seed with the lowest training error",
    overrides={"task.data_dir": "../shared/babi/en-10k"},
    note="no dropout; 40 epochs (the paper: up to 256, stopping after 20 without a lower "
    "validation loss), the best epoch kept; tasks 1, 4 and 16 so far (CPU)",
  )  # fmt: skip
  ntm = Row(
    name="ntm_babi_1k", paper="Graves et al. 2016, Extended Data Table 1 (NTM)",
    config="ntm_babi", setting="bAbI 1k, tasks 1–3, NTM read word by word, one model per task",
    overrides={"task.data_dir": "../shared/babi/en", **adam, "train.batch_size": 8},
    note="1k per task, not 10k joint; Adam at 1e-3 for 40 epochs of batch 8 (the paper: "
    "RMSProp at 1e-4, batch 1, far more updates)", **{**readers, "seeds": 1, "steps": 40},
  )  # fmt: skip
  dnc = Row(
    name="dnc_babi_1k", paper="Graves et al. 2016, Extended Data Table 1 (DNC1)",
    config="dnc_babi", setting="bAbI 1k, tasks 1–3, DNC read word by word, one model per task",
    overrides={"task.data_dir": "../shared/babi/en", **adam, "model.memory_size": 64,
               "model.word_size": 32, "model.controller_size": 128, "train.batch_size": 8},
    note="1k per task, not 10k joint; a 64 × 32 memory and a 128-unit controller (the "
    "paper: 256 × 64, 256), Adam at 1e-3 for 20 epochs of batch 8 (the paper: RMSProp "
    "at 1e-4, batch 1)", **{**readers, "seeds": 1, "steps": 20},
  )  # fmt: skip
  return [(r.name, r) for r in (per_task, joint, dmn, ntm, dnc)]


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
    if not (smoke and section == "model"):  # the smoke variant keeps its tiny model
      config[section][field] = value
  config.train.seed = seed
  config.train.epochs = epochs
  return config


def run_row(row: Row, seeds: int, epochs: int, workdir: pathlib.Path, smoke: bool = False) -> dict:
  """Every seed of `row` (and every task, unless joint); the result ROW.json holds."""
  joint = row.name.endswith("_joint")
  task_ids = SMOKE_TASK_IDS if smoke else ROW_TASKS.get(row.name, TASK_IDS)
  groups = [task_ids] if joint else [(t,) for t in task_ids]
  test = {str(t): [] for t in task_ids}
  train = {str(t): [] for t in task_ids}
  ran = []  # the epochs each run trained (fewer than asked where it stopped early)
  began = time.perf_counter()
  for seed in range(seeds):
    for group in groups:
      config = build_config(row, seed, epochs, smoke)
      config.task.babi_task = group
      path = workdir / f"seed{seed}" / ("joint" if joint else f"qa{group[0]}")
      summary = finished(config, path) or babi_run.run(config, path)
      ran.append(summary["epochs"])
      for task in group:
        test[str(task)].append(summary["test_error_percent"][str(task)])
        train[str(task)].append(summary["train_error_percent"][str(task)])
  return {"test_per_seed": test, "train_per_seed": train, "wall_sec": time.perf_counter() - began,
          "num_seeds": seeds, "steps": epochs, "epochs_run": ran, "joint": joint,
          "config": config.to_dict()}  # fmt: skip


def _stopped(result: dict) -> str:
  """ ", stopped early after 31–40" where runs trained fewer epochs than asked, else ""."""
  ran = result.get("epochs_run", [])
  if not ran or min(ran) >= result["steps"]:
    return ""
  return f", stopped early after {min(ran)}–{max(ran)}"


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
    summary.append(f"mean {np.mean(values):.1f}, failed {failed}{_paper_mean(result['row'], best)}")
  lines.append("| all | " + " | ".join(summary) + " |")
  return "\n".join(lines) + ("\n\n" + "; ".join(_budget(r) for r in results) if results else "")


def _paper_mean(row: str, errors: dict[str, float]) -> str:
  """The paper's mean over the same tasks where it prints them all, else its 20 tasks' mean."""
  published = PUBLISHED.get(row, {})
  if errors and all(int(t) in published for t in errors):
    return f" (paper: mean {np.mean([published[int(t)] for t in errors]):.1f})"
  if row not in PUBLISHED_MEAN:
    return ""
  some = len(errors) < len(TASK_IDS)
  return f" (paper: mean {PUBLISHED_MEAN[row]:.1f}" + (" over all 20)" if some else ")")


def _budget(result: dict) -> str:
  """ "`row`: 2 seeds × 30 epochs (paper: its statistic)", as the table's footnote says it."""
  seeds = result["num_seeds"]
  text = f"`{result['row']}`: {seeds} seed{'s' * (seeds != 1)} × {result['steps']} epochs"
  text += _stopped(result) + (" SMOKE" if result.get("smoke") else "")
  row = dict(rows()).get(result["row"])  # the row's own words, not an older JSON's
  statistic = row.published_statistic if row is not None else result.get("published_statistic")
  return text + (f" (paper: {statistic})" if statistic else "")
