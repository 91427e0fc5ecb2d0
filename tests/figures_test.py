"""Tests of memnets.figures: every figure function writes a real, non-empty PNG of the right size.

PNG files start with an 8-byte signature and an IHDR chunk whose first fields are
the width and height (big-endian uint32 at bytes 16–24).
"""

import json
import struct

import numpy as np
import pytest

from memnets.figures import canvas, curves, example, sweep
from memnets.training import evaluation

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_PNG_BYTES = 5_000  # a blank canvas compresses to far less than a drawn figure


def _png_size(path):
  data = path.read_bytes()
  assert data[:8] == PNG_SIGNATURE
  assert data[12:16] == b"IHDR"
  assert len(data) > MIN_PNG_BYTES
  return struct.unpack(">II", data[16:24])


def _sweep(kind, num_seeds=3):
  rng = np.random.default_rng(0)
  lengths = np.array([10, 20, 40])
  metrics = {name: rng.uniform(0, 1, (num_seeds, 3)) for name in evaluation.METRICS[kind]}
  return evaluation.Sweep(kind, lengths, metrics, num_sequences=8)


@pytest.mark.parametrize("kind", ["bits", "categorical"])
def test_plot_sweep_writes_png(tmp_path, kind):
  path = sweep.plot_sweep(tmp_path / "deep" / "sweep.png", _sweep(kind), (1, 20), "title")
  width, height = _png_size(path)
  assert width == round(2 * sweep.PANEL_WIDTH * canvas.DPI)
  assert height == round(sweep.PANEL_HEIGHT * canvas.DPI)


def test_plot_sweep_single_seed(tmp_path):
  _png_size(sweep.plot_sweep(tmp_path / "one.png", _sweep("bits", num_seeds=1)))


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
  width, tall = _png_size(with_memory)
  _, short = _png_size(without)
  assert width == round(example.WIDTH * canvas.DPI)
  assert tall > short  # three weighting panels more


ROWS = [
  {"step": 2, "seed": 0, "loss": 2.0, "bit_errors": 5.0},
  {"step": 2, "seed": 1, "loss": 3.0, "bit_errors": 6.0},
  {"step": 2, "aggregate": "train", "loss/mean": 2.5},
  {"step": 4, "seed": 1, "loss": "nan", "bit_errors": 4.0},
  {"step": 4, "seed": 0, "loss": 1.0, "bit_errors": 3.0},
  {"step": 4, "seed": 0, "eval/loss": 1.5, "eval/bit_errors": 3.5},
  {"step": 5, "event": "nonfinite", "seeds": "[1]"},
]


def test_series_by_hand():
  loss = curves.series(ROWS, "loss")
  assert sorted(loss) == [0, 1]
  np.testing.assert_array_equal(loss[0][0], [2, 4])
  np.testing.assert_array_equal(loss[0][1], [2.0, 1.0])
  assert np.isnan(loss[1][1][1])
  assert list(curves.series(ROWS, "eval/loss")) == [0]
  single = curves.series([{"step": 1, "loss": 0.5}], "loss")  # single-seed runs have no seed field
  assert list(single) == [0]


def test_learning_curves_png(tmp_path):
  metrics = tmp_path / "metrics.jsonl"
  lines = [json.dumps(row) for row in ROWS]
  metrics.write_text("\n".join(lines) + "\n{cut short")
  rows = curves.read_metrics(metrics)
  assert len(rows) == len(ROWS)
  path = curves.plot_learning_curves(tmp_path / "curves.png", rows, ("loss", "bit_errors"))
  width, _ = _png_size(path)
  assert width == round(2 * curves.PANEL_WIDTH * canvas.DPI)
