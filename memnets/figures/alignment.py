"""The attention of an encoder-decoder: output steps against source steps (Bahdanau et al., Fig. 3)."""

import numpy as np

from memnets.figures import canvas


def plot_alignment(path, weights_UxS, source: list[str], output: list[str], title: str = ""):
  """Writes the weights α_ij of output step i over source step j as a heatmap PNG; returns the path."""
  weights_UxS = np.asarray(weights_UxS, dtype=float)
  if weights_UxS.shape != (len(output), len(source)):
    raise ValueError(
      f"weights of shape {weights_UxS.shape} for {len(output)} × {len(source)} labels"
    )
  figure = canvas.new_figure(1.5 + 0.3 * len(source), 1.2 + 0.3 * len(output))
  axes = figure.add_subplot()
  image = axes.imshow(weights_UxS, cmap="gray_r", vmin=0.0, vmax=1.0, aspect="auto")
  axes.set_xticks(range(len(source)), source, fontsize=7)
  axes.set_yticks(range(len(output)), output, fontsize=7)
  axes.set_xlabel("source")
  axes.set_ylabel("output")
  if title:
    axes.set_title(title, fontsize=9)
  figure.colorbar(image, ax=axes, shrink=0.8)
  return canvas.save(figure, path)
