"""Tests of memnets.figures.example: one sequence in the style of Graves et al. 2014, Fig. 6.

A PNG starts with an 8-byte signature and an IHDR chunk whose first fields are
the width and height (big-endian uint32 at bytes 16–24).
"""

import numpy as np
from helpers import png as png_helpers

from memnets.figures import canvas, example

TITLE_HEIGHT = 0.8  # inches added above the panels by plot_example


def _example_arrays(num_steps=9, with_memory=True):
  rng = np.random.default_rng(1)
  arrays = {
    "inputs": rng.integers(0, 2, (num_steps, 4)).astype(float),
    "targets": rng.integers(0, 2, (num_steps, 3)).astype(float),
    "outputs": rng.uniform(0, 1, (num_steps, 3)),
    "mask": (np.arange(num_steps) > num_steps // 2).astype(float),
  }
  if with_memory:
    weights = rng.dirichlet(np.ones(16), (num_steps, 2))  # [T, heads, N], rows sum to 1
    arrays |= {"read_weights": weights, "write_weights": weights[:, :1]}
    arrays["memory"] = rng.normal(size=(16, 5))
  return arrays


def test_plot_example_with_and_without_memory(tmp_path):
  with_memory = example.plot_example(tmp_path / "ntm.png", title="ntm", **_example_arrays())
  without = example.plot_example(tmp_path / "lstm.png", **_example_arrays(with_memory=False))
  width, tall = png_helpers.png_size(with_memory)
  _, short = png_helpers.png_size(without)
  assert width == round(example.WIDTH * canvas.DPI)
  assert tall > short  # three weighting panels more
  # Three panels of 3-4 channels, each at the minimum height, plus the title band.
  assert short == round((3 * example.MIN_PANEL_HEIGHT + TITLE_HEIGHT) * canvas.DPI)
  # Plus one write and two read panels of 16 locations each.
  expected_tall = short + 3 * 16 * example.UNIT_HEIGHT * canvas.DPI
  assert abs(tall - expected_tall) <= 1


def test_panel_height_is_clipped():
  assert example._panel_height(1) == example.MIN_PANEL_HEIGHT
  np.testing.assert_allclose(example._panel_height(20), 20 * example.UNIT_HEIGHT)
  assert example._panel_height(1_000) == example.MAX_PANEL_HEIGHT


def test_time_panels_order_titles_and_masking():
  arrays = _example_arrays(num_steps=6)
  panels = example._time_panels(
    arrays["inputs"],
    arrays["targets"],
    arrays["outputs"],
    arrays["mask"],
    arrays["read_weights"],
    arrays["write_weights"],
  )
  titles = [title for title, _, _ in panels]
  assert titles == [
    "inputs",
    "targets",
    "outputs (scored steps)",
    "write weightings",
    "read weightings, head 0",
    "read weightings, head 1",
  ]
  cmaps = [cmap for _, _, cmap in panels]
  assert cmaps == [example.BITS_CMAP] * 3 + [example.WEIGHTS_CMAP] * 3
  images = {title: image for title, image, _ in panels}
  # Images are [rows, T]: channels or locations down, time across.
  assert images["inputs"].shape == (4, 6)
  assert images["read weightings, head 1"].shape == (16, 6)
  np.testing.assert_array_equal(images["read weightings, head 1"], arrays["read_weights"][:, 1].T)
  # Steps 0-3 are not scored (mask = t > 3): their targets and outputs are blanked.
  np.testing.assert_array_equal(images["targets"][:, :4], 0.0)
  np.testing.assert_array_equal(images["targets"][:, 4:], arrays["targets"][4:].T)
  np.testing.assert_array_equal(images["outputs (scored steps)"][:, 4:], arrays["outputs"][4:].T)
  # The inputs are shown at every step.
  np.testing.assert_array_equal(images["inputs"], arrays["inputs"].T)


def test_time_panels_without_memory_are_the_three_sequence_panels():
  arrays = _example_arrays(with_memory=False)
  panels = example._time_panels(**arrays, read_weights=None, write_weights=None)
  assert [title for title, _, _ in panels] == ["inputs", "targets", "outputs (scored steps)"]
