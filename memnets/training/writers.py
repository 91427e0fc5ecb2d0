"""Metrics output of a training run: JSONL rows, TensorBoard events, a console line.

`metrics.jsonl` (always written) holds one JSON object per line:
- a training row per logged step and seed: `step`, `loss`, the task's metrics
  (`bit_errors`, `cost_bits` or `token_accuracy`, `sequence_accuracy`),
  `grad_norm`, `nonfinite` (non-finite steps so far), `steps_per_sec`,
  `elapsed_sec`, and `seed` (the seed index) when the run has several seeds;
- evaluation rows, the same with keys prefixed `eval/`;
- with several seeds, an aggregate row per logged step (`"aggregate": "train"`
  or `"eval"`) with `<metric>/mean`, `<metric>/std` and `<metric>/best`;
- an event row (`"event": "nonfinite"`) when the guard stops a run.

On resume from checkpoint step S, rows with step > S (and event rows) are
dropped first, so a resumed run's file equals an uninterrupted run's.
"""

import json
import math
import pathlib
from collections.abc import Mapping

import numpy as np
import tensorboardX
from absl import logging

METRICS_FILE = "metrics.jsonl"
TENSORBOARD_DIR = "tensorboard"
TIMING_KEYS = ("steps_per_sec", "elapsed_sec")  # the only fields that vary between runs


def higher_is_better(name: str) -> bool:
  """Accuracies are maximised; losses, bit errors and costs minimised."""
  return "accuracy" in name


def aggregate(per_seed: Mapping[str, np.ndarray]) -> dict[str, float]:
  """`{m: [K]}` → `{m/mean, m/std, m/best}` over seeds (best = min, or max for accuracies)."""
  out = {}
  for name, values in per_seed.items():
    values = np.asarray(values, np.float64)
    out[f"{name}/mean"] = float(np.mean(values))
    out[f"{name}/std"] = float(np.std(values))
    out[f"{name}/best"] = float(np.max(values) if higher_is_better(name) else np.min(values))
  return out


def _json_value(value):
  if isinstance(value, np.ndarray | np.generic):
    value = value.item()
  if isinstance(value, float) and not math.isfinite(value):
    return str(value)  # "nan" / "inf": JSON has no literal for them
  return value


class MetricsWriter:
  """Writes metrics rows to `metrics.jsonl` and TensorBoard, resuming at `start_step`."""

  def __init__(self, workdir, start_step: int, num_seeds: int):
    self.path = pathlib.Path(workdir) / METRICS_FILE
    self.num_seeds = num_seeds
    kept = []
    if self.path.exists():
      for line in self.path.read_text().splitlines():
        try:
          row = json.loads(line)
        except json.JSONDecodeError:
          continue  # a line cut short by a kill
        if row.get("step", math.inf) <= start_step and "event" not in row:
          kept.append(line)
    self.path.write_text("".join(line + "\n" for line in kept))
    self._file = self.path.open("a")
    self._tensorboard = tensorboardX.SummaryWriter(
      str(pathlib.Path(workdir) / TENSORBOARD_DIR), purge_step=start_step + 1
    )

  def write_row(self, row: Mapping) -> None:
    self._file.write(json.dumps({k: _json_value(v) for k, v in row.items()}) + "\n")
    self._file.flush()

  def write_metrics(
    self, step: int, per_seed: Mapping[str, np.ndarray], prefix: str = "", **extra
  ) -> None:
    """Rows of `{name: [K]}` metrics at `step` (one per seed, plus an aggregate if K > 1)."""
    for seed in range(self.num_seeds):
      row = {"step": step}
      if self.num_seeds > 1:
        row["seed"] = seed
      row.update({prefix + name: values[seed] for name, values in per_seed.items()})
      row.update(extra)
      self.write_row(row)
      tag = f"seed_{seed}/" if self.num_seeds > 1 else ""
      for name, values in per_seed.items():
        self._tensorboard.add_scalar(tag + prefix + name, float(values[seed]), step)
    if self.num_seeds > 1:
      summary = aggregate(per_seed)
      self.write_row({"step": step, "aggregate": prefix.rstrip("/") or "train", **summary})
      for name, value in summary.items():
        self._tensorboard.add_scalar(prefix + name, value, step)
    for name, value in extra.items():
      self._tensorboard.add_scalar(name, float(value), step)

  def close(self) -> None:
    self._file.close()
    self._tensorboard.close()


def log_progress(
  step: int, total: int, steps_per_sec: float, per_seed: Mapping[str, np.ndarray], error_key: str
) -> None:
  """The console line: step, speed, ETA, loss and the task's error metric (seed means)."""
  eta = (total - step) / steps_per_sec if steps_per_sec > 0 else math.inf
  eta_text = f"{eta / 60:.1f} min" if math.isfinite(eta) else "?"
  logging.info(
    "step %d/%d  %.1f steps/s  ETA %s  loss %.4g  %s %.4g",
    step,
    total,
    steps_per_sec,
    eta_text,
    float(np.mean(per_seed["loss"])),
    error_key,
    float(np.mean(per_seed[error_key])),
  )
