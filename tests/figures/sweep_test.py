"""Tests of memnets.figures.sweep: the length-generalisation plot, for both loss kinds.

A PNG starts with an 8-byte signature and an IHDR chunk whose first fields are
the width and height (big-endian uint32 at bytes 16–24).
"""

import numpy as np
import pytest
from helpers import png as png_helpers

from memnets.figures import canvas, sweep
from memnets.training import evaluation


def _sweep(kind, num_seeds=3, lengths=(10, 20, 40)):
  rng = np.random.default_rng(0)
  lengths = np.array(lengths)
  shape = (num_seeds, len(lengths))
  metrics = {name: rng.uniform(0, 1, shape) for name in evaluation.METRICS[kind]}
  return evaluation.Sweep(kind, lengths, metrics, num_sequences=8)


@pytest.mark.parametrize("kind", ["bits", "categorical"])
def test_plot_sweep_writes_png(tmp_path, kind):
  path = sweep.plot_sweep(tmp_path / "deep" / "sweep.png", _sweep(kind), (1, 20), "title")
  width, height = png_helpers.png_size(path)
  assert width == round(len(evaluation.METRICS[kind]) * sweep.PANEL_WIDTH * canvas.DPI)
  assert height == round(sweep.PANEL_HEIGHT * canvas.DPI)


def test_plot_sweep_single_seed(tmp_path):
  png_helpers.png_size(sweep.plot_sweep(tmp_path / "one.png", _sweep("bits", num_seeds=1)))


@pytest.mark.parametrize("kind", ["bits", "categorical"])
def test_every_metric_has_a_readable_label(kind):
  for name in evaluation.METRICS[kind]:
    assert sweep.LABELS[name] != name


def test_plot_sweep_long_sweep_without_training_range(tmp_path):
  lengths = np.arange(1, 61)  # more lengths than get markers
  long = _sweep("categorical", num_seeds=2, lengths=lengths)
  path = sweep.plot_sweep(tmp_path / "long.png", long)
  assert png_helpers.png_size(path) == (
    round(len(evaluation.METRICS["categorical"]) * sweep.PANEL_WIDTH * canvas.DPI),
    round(sweep.PANEL_HEIGHT * canvas.DPI),
  )


def test_plot_sweep_leaves_the_sweep_unchanged(tmp_path):
  data = _sweep("bits")
  before = {name: values.copy() for name, values in data.metrics.items()}
  sweep.plot_sweep(tmp_path / "s.png", data, (1, 20))
  for name, values in before.items():
    np.testing.assert_array_equal(data.metrics[name], values)
