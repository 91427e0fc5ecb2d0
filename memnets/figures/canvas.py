"""A figure that renders with matplotlib's Agg canvas, without pyplot's global state."""

import pathlib

from matplotlib.backends import backend_agg
from matplotlib.figure import Figure

DPI = 110  # dots per inch of the written PNGs


def new_figure(width: float, height: float) -> Figure:
  """A figure of `width` × `height` inches attached to an Agg canvas."""
  figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
  backend_agg.FigureCanvasAgg(figure)
  return figure


def save(figure: Figure, path) -> pathlib.Path:
  """Writes `figure` as a PNG to `path` (parent directories created); returns the path."""
  path = pathlib.Path(path)
  path.parent.mkdir(parents=True, exist_ok=True)
  figure.savefig(path, format="png")
  return path
