"""A DNC's memory internals over one sequence, in the style of Graves et al. 2016, Fig. 1 and 3.

Time on the x axis: the write weighting and each read head's weighting
(location on the y axis), the usage of every slot, the gates as lines (the
write gate's split into its allocation share g^w g^a and content share
g^w (1 − g^a), each head's free gate), each head's read modes (backward,
content, forward; they sum to 1), and on the right the temporal link matrix
after the last step (L[i, j]: slot i written right after slot j).
"""

import numpy as np

from memnets.figures import canvas

WIDTH = 11.0  # inches
MAP_HEIGHT, LINE_HEIGHT = 1.6, 1.1  # inches per heat-map and per line panel
WEIGHTS_CMAP = "gray"  # weightings and usage on [0, 1]: white is high
LINK_CMAP = "magma"
MODE_NAMES = ("backward", "content", "forward")


def _heat(ax, image_NxT, title):
  num_steps = image_NxT.shape[1]
  ax.imshow(
    image_NxT,
    aspect="auto",
    cmap=WEIGHTS_CMAP,
    vmin=0.0,
    vmax=1.0,
    interpolation="nearest",
    extent=(-0.5, num_steps - 0.5, image_NxT.shape[0] - 0.5, -0.5),
  )
  ax.set_ylabel("location", fontsize="small")
  ax.set_title(title, fontsize="small", loc="left")


def _lines(ax, series, title):
  for label, values in series:
    ax.plot(np.arange(len(values)), values, label=label, linewidth=1.2)
  ax.set_ylim(-0.05, 1.05)
  ax.set_title(title, fontsize="small", loc="left")
  ax.legend(fontsize="x-small", loc="upper right", ncols=min(len(series), 4))


def plot_dnc(path, trace: dict[str, np.ndarray], title: str | None = None):
  """Draws one example's `DNCCell.trace` (batch axis removed) to a PNG at `path`.

  Args:
    path: output file.
    trace: `DNCCell.trace` of one example: `write_weights` [T, N],
      `read_weights` [T, R, N], `usage` [T, N], `allocation_gate`,
      `write_gate` [T], `free_gates` [T, R], `read_modes` [T, R, 3], `link` [N, N].
    title: figure title.

  Returns:
    The path written.
  """
  read_TxRxN = np.asarray(trace["read_weights"])
  num_heads = read_TxRxN.shape[1]
  maps = [("write weighting", np.asarray(trace["write_weights"]).T)]
  maps += [(f"read weighting, head {h}", read_TxRxN[:, h].T) for h in range(num_heads)]
  maps.append(("usage", np.asarray(trace["usage"]).T))
  write_gate = np.asarray(trace["write_gate"])
  allocation_gate = np.asarray(trace["allocation_gate"])
  free_TxR = np.asarray(trace["free_gates"])
  modes_TxRx3 = np.asarray(trace["read_modes"])
  lines = [
    (
      "write gate: allocation and content shares",
      [
        ("allocation g^w g^a", write_gate * allocation_gate),
        ("content g^w (1 - g^a)", write_gate * (1.0 - allocation_gate)),
      ],
    ),
    ("free gates", [(f"head {h}", free_TxR[:, h]) for h in range(num_heads)]),
  ]
  lines += [
    (f"read modes, head {h}", [(n, modes_TxRx3[:, h, k]) for k, n in enumerate(MODE_NAMES)])
    for h in range(num_heads)
  ]
  heights = [MAP_HEIGHT] * len(maps) + [LINE_HEIGHT] * len(lines)
  figure = canvas.new_figure(WIDTH, sum(heights) + 0.8)
  grid = figure.add_gridspec(len(heights), 2, height_ratios=heights, width_ratios=[4, 1.3])
  axes = []
  for row, (panel_title, image) in enumerate(maps):
    ax = figure.add_subplot(grid[row, 0], sharex=axes[0] if axes else None)
    _heat(ax, image, panel_title)
    axes.append(ax)
  for row, (panel_title, series) in enumerate(lines, start=len(maps)):
    ax = figure.add_subplot(grid[row, 0], sharex=axes[0])
    _lines(ax, series, panel_title)
    axes.append(ax)
  for ax in axes:
    ax.tick_params(labelsize="x-small")
  axes[-1].set_xlabel("time step")
  ax = figure.add_subplot(grid[: len(maps), 1])
  shown = ax.imshow(np.asarray(trace["link"]), cmap=LINK_CMAP, vmin=0.0, interpolation="nearest")
  ax.set_title("link matrix after the last step", fontsize="small", loc="left")
  ax.set_xlabel("written before (j)", fontsize="small")
  ax.set_ylabel("written after (i)", fontsize="small")
  ax.tick_params(labelsize="x-small")
  figure.colorbar(shown, ax=ax, shrink=0.8)
  if title:
    figure.suptitle(title)
  return canvas.save(figure, path)
