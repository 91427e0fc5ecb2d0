"""Learning curves from a run's `metrics.jsonl`: loss and the task's error metric per seed.

The rows are those of `memnets.training.writers` (training rows with `loss`,
evaluation rows with `eval/loss`, a `seed` field when the run has several
seeds; aggregate and event rows are skipped). The paper's learning curves
(Graves et al. 2014, Fig. 3) plot cost per sequence in bits against sequences
seen; ours are per optimiser step, so multiply by the batch size for sequences.
"""

import json
import math
import pathlib
from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from memnets.figures import canvas

PANEL_WIDTH, PANEL_HEIGHT = 5.0, 3.4  # inches
EVAL_PREFIX = "eval/"


def read_metrics(path) -> list[dict]:
  """The rows of a `metrics.jsonl` file (lines that do not parse are skipped)."""
  rows = []
  for line in pathlib.Path(path).read_text().splitlines():
    try:
      rows.append(json.loads(line))
    except json.JSONDecodeError:
      continue
  return rows


def series(rows: Iterable[Mapping], name: str) -> dict[int, tuple[np.ndarray, np.ndarray]]:
  """`{seed: (steps [S], values [S])}` of metric `name` (per-seed rows only)."""
  points: dict[int, list[tuple[int, float]]] = {}
  for row in rows:
    if "aggregate" in row or "event" in row or name not in row:
      continue
    value = float(row[name])  # "nan" / "inf" strings parse too
    points.setdefault(int(row.get("seed", 0)), []).append((int(row["step"]), value))
  out = {}
  for seed, pairs in sorted(points.items()):
    pairs.sort()
    out[seed] = (np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs]))
  return out


def plot_learning_curves(path, rows: Sequence[Mapping], metric_names: Sequence[str]):
  """Draws one panel per metric (training solid, evaluation dashed, a colour per seed).

  Args:
    path: output file.
    rows: `metrics.jsonl` rows (`read_metrics`).
    metric_names: e.g. `("loss", "bit_errors")`.

  Returns:
    The path written.
  """
  figure = canvas.new_figure(PANEL_WIDTH * len(metric_names), PANEL_HEIGHT)
  axes = figure.subplots(1, len(metric_names), squeeze=False)[0]
  for ax, name in zip(axes, metric_names, strict=True):
    positive = True
    for prefix, style in (("", "-"), (EVAL_PREFIX, "--")):
      for seed, (steps, values) in series(rows, prefix + name).items():
        kind = "eval" if prefix else "train"
        ax.plot(steps, values, style, color=f"C{seed % 10}", lw=1.5, label=f"seed {seed} {kind}")
        positive &= bool(np.all(values[np.isfinite(values)] > 0))
    if positive and ("loss" in name or name.startswith("cost")):
      ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel(name)
    ax.grid(alpha=0.3)
    handles, _ = ax.get_legend_handles_labels()
    if handles:
      ax.legend(fontsize="x-small", ncol=max(1, math.ceil(len(handles) / 8)))
  figure.suptitle("Learning curves")
  return canvas.save(figure, path)
