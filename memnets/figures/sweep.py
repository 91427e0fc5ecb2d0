"""The length-generalisation plots: each sweep metric against sequence length.

`plot_sweep` draws one run's seeds; `plot_models` draws several models'
curves on one panel.

One panel per metric of `memnets.training.evaluation.METRICS` (bit errors and
cost in bits per sequence for copy-like tasks, as in Graves et al. 2014 §4.1;
per-token and per-sequence accuracy for the Chomsky tasks, as in Delétang et al.
2023 §4). Each seed is a thin line, the best seed a bold one, the mean over
seeds a dashed one; the training range is shaded.
"""

from collections.abc import Mapping, Sequence

import numpy as np

from memnets.figures import canvas
from memnets.training import evaluation

PANEL_WIDTH, PANEL_HEIGHT = 5.0, 3.6  # inches
SEED_ALPHA = 0.35  # opacity of the non-best seeds' lines
TRAIN_SHADE_ALPHA = 0.15  # opacity of the training-range band
LABELS = {
  "bit_errors": "bit errors per sequence",
  "cost_bits": "cost per sequence (bits)",
  "token_accuracy": "per-token accuracy",
  "sequence_accuracy": "per-sequence accuracy",
  "prefix_accuracy": "accuracy before the first error",
}


def plot_sweep(
  path,
  sweep: evaluation.Sweep,
  train_lengths: Sequence[int] | None = None,
  title: str | None = None,
):
  """Draws `sweep` to a PNG at `path`.

  Args:
    path: output file.
    sweep: the sweep (`[K, L]` metrics).
    train_lengths: `(min, max)` training lengths to shade, or None.
    title: figure title.

  Returns:
    The path written.
  """
  names = evaluation.METRICS[sweep.kind]
  figure = canvas.new_figure(PANEL_WIDTH * len(names), PANEL_HEIGHT)
  axes = figure.subplots(1, len(names), squeeze=False)[0]
  lengths = sweep.lengths
  best = sweep.best_seed
  marker = "o" if len(lengths) <= 40 else None
  for ax, name in zip(axes, names, strict=True):
    if train_lengths is not None:
      low, high = train_lengths
      ax.axvspan(low, high, color="tab:green", alpha=TRAIN_SHADE_ALPHA, label="training lengths")
    for seed in range(sweep.num_seeds):
      if seed != best:
        ax.plot(lengths, sweep.metrics[name][seed], color="tab:gray", alpha=SEED_ALPHA, lw=1)
    label = f"best seed ({best})" if sweep.num_seeds > 1 else "model"
    ax.plot(lengths, sweep.best(name), color="tab:blue", lw=2, marker=marker, ms=4, label=label)
    if sweep.num_seeds > 1:
      ax.plot(lengths, sweep.mean(name), color="tab:orange", ls="--", lw=1.5, label="seed mean")
    if evaluation.higher_is_better(name):
      ax.set_ylim(-0.02, 1.02)
    else:
      ax.set_ylim(bottom=0)
    ax.set_xlabel("sequence length")
    ax.set_ylabel(LABELS.get(name, name))
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
  figure.suptitle(title or f"Length generalisation ({sweep.num_sequences} sequences per length)")
  return canvas.save(figure, path)


def plot_models(
  path,
  curves: Mapping[str, tuple[Sequence[int], Sequence[float]]],
  ylabel: str,
  train_lengths: Sequence[int] | None = None,
  title: str | None = None,
  chance: float | None = None,
  log_lengths: bool = False,
):
  """One line per model: a metric against sequence length (Delétang et al. 2023, Fig. 2 style).

  Args:
    path: output file.
    curves: label → (lengths, values), e.g. each model's best seed.
    ylabel: the metric's axis label.
    train_lengths: `(min, max)` training lengths to shade, or None.
    title: figure title.
    chance: a dotted horizontal line at this value (the task's chance level), or None.
    log_lengths: a logarithmic length axis (for sweeps over decades, 20 to 2,000 bits).

  Returns:
    The path written.
  """
  figure = canvas.new_figure(PANEL_WIDTH * 1.6, PANEL_HEIGHT * 1.2)
  ax = figure.subplots()
  if train_lengths is not None:
    low, high = train_lengths
    ax.axvspan(low, high, color="tab:green", alpha=TRAIN_SHADE_ALPHA, label="training lengths")
  for label, (lengths, values) in curves.items():
    ax.plot(np.asarray(lengths), np.asarray(values), lw=1.5, marker="o", ms=3, label=label)
  if chance is not None:
    ax.axhline(chance, color="black", ls=":", lw=1, label="chance")
  if log_lengths:
    ax.set_xscale("log")
  ax.set_xlabel("sequence length")
  ax.set_ylabel(ylabel)
  ax.grid(alpha=0.3)
  ax.legend(fontsize="small")
  if title:
    figure.suptitle(title)
  return canvas.save(figure, path)
