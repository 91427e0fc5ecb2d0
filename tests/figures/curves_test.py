"""Tests of memnets.figures.curves: reading `metrics.jsonl` and drawing learning curves.

A PNG starts with an 8-byte signature and an IHDR chunk whose first fields are
the width and height (big-endian uint32 at bytes 16–24).
"""

import json

import numpy as np
from helpers import png as png_helpers

from memnets.figures import canvas, curves

ROWS = [
  {"step": 2, "seed": 0, "loss": 2.0, "bit_errors": 5.0},
  {"step": 2, "seed": 1, "loss": 3.0, "bit_errors": 6.0},
  {"step": 2, "aggregate": "train", "loss/mean": 2.5},
  {"step": 4, "seed": 1, "loss": "nan", "bit_errors": 4.0},
  {"step": 4, "seed": 0, "loss": 1.0, "bit_errors": 3.0},
  {"step": 4, "seed": 0, "eval/loss": 1.5, "eval/bit_errors": 3.5},
  {"step": 5, "event": "nonfinite", "seeds": "[1]"},
]

# A hand-written metrics.jsonl of a two-seed run: training rows out of step
# order, evaluation rows for both seeds, an aggregate row (which also carries
# `loss`, and must not count as seed 0), an event row, a blank line and a line
# cut short by a crash.
METRICS_JSONL = """\
{"step": 10, "seed": 1, "loss": 0.9, "bit_errors": 2.0}
{"step": 10, "seed": 0, "loss": 0.8, "bit_errors": 1.0}
{"step": 0, "seed": 0, "loss": 1.2, "bit_errors": 4.0}
{"step": 0, "seed": 1, "loss": 1.1, "bit_errors": 3.0}
{"step": 10, "aggregate": "train", "loss": 0.85}

{"step": 10, "seed": 0, "eval/loss": 0.7, "eval/bit_errors": 0.5}
{"step": 10, "seed": 1, "eval/loss": "inf", "eval/bit_errors": 1.5}
{"step": 11, "event": "nonfinite", "seeds": "[1]", "loss": 99.0}
{"step": 20, "seed": 0, "loss": 0.
"""


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
  width, _ = png_helpers.png_size(path)
  assert width == round(2 * curves.PANEL_WIDTH * canvas.DPI)


def test_read_metrics_and_series_of_a_two_seed_run(tmp_path):
  metrics = tmp_path / "metrics.jsonl"
  metrics.write_text(METRICS_JSONL)
  rows = curves.read_metrics(metrics)
  assert len(rows) == 8  # the blank line and the cut-short line are skipped
  assert rows[0] == {"step": 10, "seed": 1, "loss": 0.9, "bit_errors": 2.0}

  loss = curves.series(rows, "loss")
  assert list(loss) == [0, 1]  # seeds in order; aggregate and event rows ignored
  np.testing.assert_array_equal(loss[0][0], [0, 10])  # sorted by step
  np.testing.assert_allclose(loss[0][1], [1.2, 0.8])
  np.testing.assert_array_equal(loss[1][0], [0, 10])
  np.testing.assert_allclose(loss[1][1], [1.1, 0.9])

  errors = curves.series(rows, "bit_errors")
  np.testing.assert_allclose(errors[0][1], [4.0, 1.0])
  np.testing.assert_allclose(errors[1][1], [3.0, 2.0])

  eval_loss = curves.series(rows, curves.EVAL_PREFIX + "loss")
  assert list(eval_loss) == [0, 1]
  np.testing.assert_array_equal(eval_loss[0][0], [10])
  np.testing.assert_allclose(eval_loss[0][1], [0.7])
  assert np.isposinf(eval_loss[1][1][0])  # the "inf" string parses as a float

  assert curves.series(rows, "token_accuracy") == {}  # a metric the run never logged


def test_learning_curves_png_size_per_metric(tmp_path):
  metrics = tmp_path / "metrics.jsonl"
  metrics.write_text(METRICS_JSONL)
  rows = curves.read_metrics(metrics)
  path = curves.plot_learning_curves(tmp_path / "one.png", rows, ("loss",))
  assert png_helpers.png_size(path) == (
    round(curves.PANEL_WIDTH * canvas.DPI),
    round(curves.PANEL_HEIGHT * canvas.DPI),
  )
