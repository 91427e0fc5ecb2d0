"""One sequence through a trained model, in the style of Graves et al. 2014, Fig. 6.

Fig. 6 of the NTM paper shows, for one copy sequence, the inputs and outputs
over time and, below them, the write and read weightings of the heads (time on
the x axis, memory location on the y axis): a well-trained NTM writes the
sequence to consecutive locations and reads them back in the same order, a
sharp diagonal in both panels. We add the targets and the memory contents
after the last step (location on the y axis, aligned with the weightings).

Panels whose data is None are left out (models without external memory).
"""

import numpy as np

from memnets.figures import canvas

WIDTH = 11.0  # inches
UNIT_HEIGHT = 0.06  # inches per image row
MIN_PANEL_HEIGHT, MAX_PANEL_HEIGHT = 0.8, 3.0  # inches
BITS_CMAP = "viridis"  # inputs, targets and outputs, on [0, 1]
WEIGHTS_CMAP = "gray"  # head weightings on [0, 1]: white is high, as in Fig. 6
MEMORY_CMAP = "RdBu_r"  # memory contents, symmetric around 0
TIME_COLUMN_WIDTH, MEMORY_COLUMN_WIDTH = 4, 1  # width ratio of the two columns


def _panel_height(rows: int) -> float:
  return float(np.clip(rows * UNIT_HEIGHT, MIN_PANEL_HEIGHT, MAX_PANEL_HEIGHT))


def _time_panels(inputs, targets, outputs, mask, read_weights, write_weights):
  """[(title, image [rows, T], colormap)] in drawing order; images on [0, 1]."""
  mask_1xT = np.asarray(mask)[None, :]
  panels = [
    ("inputs", np.asarray(inputs).T, BITS_CMAP),
    ("targets", np.asarray(targets).T * mask_1xT, BITS_CMAP),
    ("outputs (scored steps)", np.asarray(outputs).T * mask_1xT, BITS_CMAP),
  ]
  for title, weights in (("write weightings", write_weights), ("read weightings", read_weights)):
    if weights is None:
      continue
    weights_TxHxN = np.asarray(weights)
    for head in range(weights_TxHxN.shape[1]):
      suffix = f", head {head}" if weights_TxHxN.shape[1] > 1 else ""
      panels.append((title + suffix, weights_TxHxN[:, head, :].T, WEIGHTS_CMAP))
  return panels


def plot_example(
  path,
  inputs: np.ndarray,
  targets: np.ndarray,
  outputs: np.ndarray,
  mask: np.ndarray,
  read_weights: np.ndarray | None = None,
  write_weights: np.ndarray | None = None,
  memory: np.ndarray | None = None,
  title: str | None = None,
):
  """Draws one example to a PNG at `path`.

  Args:
    path: output file.
    inputs: [T, I].
    targets: [T, O].
    outputs: [T, O] the model's probabilities (sigmoid or softmax of its logits).
    mask: [T] scored steps.
    read_weights: [T, R, N] read weightings after each step, or None.
    write_weights: [T, W, N] write weightings after each step, or None.
    memory: [N, M] memory after the last step, or None.
    title: figure title.

  Returns:
    The path written.
  """
  panels = _time_panels(inputs, targets, outputs, mask, read_weights, write_weights)
  heights = [_panel_height(image.shape[0]) for _, image, _ in panels]
  has_memory = memory is not None
  figure = canvas.new_figure(WIDTH, sum(heights) + 0.8)
  ratios = [TIME_COLUMN_WIDTH, MEMORY_COLUMN_WIDTH] if has_memory else [1]
  grid = figure.add_gridspec(len(panels), len(ratios), height_ratios=heights, width_ratios=ratios)
  num_steps = np.asarray(inputs).shape[0]
  time_axes = []
  for row, (panel_title, image, cmap) in enumerate(panels):
    ax = figure.add_subplot(grid[row, 0], sharex=time_axes[0] if time_axes else None)
    ax.imshow(
      image,
      aspect="auto",
      cmap=cmap,
      vmin=0.0,
      vmax=1.0,
      interpolation="nearest",
      extent=(-0.5, num_steps - 0.5, image.shape[0] - 0.5, -0.5),
    )
    ax.set_title(panel_title, fontsize="small", loc="left")
    ax.set_ylabel("location" if cmap == WEIGHTS_CMAP else "channel", fontsize="small")
    ax.tick_params(labelsize="x-small")
    time_axes.append(ax)
  time_axes[-1].set_xlabel("time step")
  if has_memory:
    first_weights = next((i for i, (_, _, c) in enumerate(panels) if c == WEIGHTS_CMAP), 0)
    ax = figure.add_subplot(grid[first_weights:, 1])
    memory_NxM = np.asarray(memory)
    scale = max(float(np.max(np.abs(memory_NxM))), 1e-6)
    shown = ax.imshow(
      memory_NxM, aspect="auto", cmap=MEMORY_CMAP, vmin=-scale, vmax=scale, interpolation="nearest"
    )
    ax.set_title("memory after the last step", fontsize="small", loc="left")
    ax.set_xlabel("word element", fontsize="small")
    ax.set_ylabel("location", fontsize="small")
    ax.tick_params(labelsize="x-small")
    figure.colorbar(shown, ax=ax, shrink=0.8)
  if title:
    figure.suptitle(title)
  return canvas.save(figure, path)
