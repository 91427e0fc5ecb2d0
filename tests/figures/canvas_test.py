"""Tests of memnets.figures.canvas: Agg figures of an exact pixel size, outside pyplot.

A PNG starts with an 8-byte signature and an IHDR chunk whose first fields are
the width and height (big-endian uint32 at bytes 16–24).
"""

import pathlib

import numpy as np
from helpers import png as png_helpers
from matplotlib import image as mpl_image
from matplotlib import pyplot
from matplotlib.backends import backend_agg

from memnets.figures import canvas

WIDTH, HEIGHT = 2.0, 1.5  # inches: 220 × 165 pixels at canvas.DPI = 110


def test_new_figure_is_an_agg_figure_of_the_requested_size():
  figure = canvas.new_figure(WIDTH, HEIGHT)
  assert isinstance(figure.canvas, backend_agg.FigureCanvasAgg)
  np.testing.assert_allclose(figure.get_size_inches(), [WIDTH, HEIGHT])
  assert figure.dpi == canvas.DPI
  assert figure.get_layout_engine() is not None  # constrained layout


def test_new_figure_leaves_pyplot_alone():
  before = pyplot.get_fignums()
  canvas.new_figure(WIDTH, HEIGHT)
  assert pyplot.get_fignums() == before


def test_save_writes_a_png_of_the_requested_pixels(tmp_path):
  figure = canvas.new_figure(WIDTH, HEIGHT)
  figure.set_facecolor("red")
  target = tmp_path / "a" / "b" / "red.png"  # parents do not exist yet
  path = canvas.save(figure, str(target))
  assert isinstance(path, pathlib.Path)
  assert path == target
  assert png_helpers.png_size(path, min_bytes=0) == (
    round(WIDTH * canvas.DPI),
    round(HEIGHT * canvas.DPI),
  )
  pixels_HxWxC = mpl_image.imread(path)
  assert pixels_HxWxC.shape[:2] == (165, 220)
  np.testing.assert_allclose(pixels_HxWxC[0, 0, :3], [1.0, 0.0, 0.0])  # the red background


def test_save_overwrites_an_existing_file(tmp_path):
  path = tmp_path / "figure.png"
  path.write_bytes(b"not a png")
  canvas.save(canvas.new_figure(1.0, 1.0), path)
  assert png_helpers.png_size(path, min_bytes=0) == (canvas.DPI, canvas.DPI)
