"""Tests of memnets.training.writers: JSONL rows, resume truncation, seed aggregates."""

import json

import numpy as np
import pytest

from memnets.training import writers


def _rows(workdir):
  return [json.loads(line) for line in (workdir / writers.METRICS_FILE).read_text().splitlines()]


def test_rows_per_seed_and_aggregate(tmp_path):
  writer = writers.MetricsWriter(tmp_path, start_step=0, num_seeds=2)
  writer.write_metrics(2, {"loss": np.array([1.0, 3.0]), "token_accuracy": np.array([0.5, 0.9])})
  writer.close()
  rows = _rows(tmp_path)
  assert [row.get("seed") for row in rows] == [0, 1, None]
  assert rows[2]["loss/mean"] == 2.0 and rows[2]["loss/std"] == 1.0
  assert rows[2]["loss/best"] == 1.0 and rows[2]["token_accuracy/best"] == 0.9
  assert (tmp_path / writers.TENSORBOARD_DIR).is_dir()


def test_resume_drops_rows_after_checkpoint_and_torn_lines(tmp_path):
  lines = [
    {"step": 2, "loss": 1.0},
    {"step": 4, "loss": 0.5},
    {"step": 6, "loss": 0.25},
    {"step": 4, "event": "nonfinite"},
  ]
  text = "".join(json.dumps(row) + "\n" for row in lines) + '{"step": 8, "lo'
  (tmp_path / writers.METRICS_FILE).write_text(text)
  writer = writers.MetricsWriter(tmp_path, start_step=4, num_seeds=1)
  writer.write_metrics(6, {"loss": np.array([0.3])})
  writer.close()
  rows = _rows(tmp_path)
  assert rows[:2] == [{"step": 2, "loss": 1.0}, {"step": 4, "loss": 0.5}]
  assert [row["step"] for row in rows] == [2, 4, 6]
  assert rows[2]["loss"] == pytest.approx(0.3)


def test_nonfinite_values_are_valid_json(tmp_path):
  writer = writers.MetricsWriter(tmp_path, start_step=0, num_seeds=1)
  writer.write_row({"step": 1, "loss": np.float32(np.nan)})
  writer.close()
  assert _rows(tmp_path) == [{"step": 1, "loss": "nan"}]


@pytest.mark.parametrize(("name", "higher"), [("loss", False), ("sequence_accuracy", True)])
def test_direction_of_best(name, higher):
  assert writers.higher_is_better(name) == higher
