"""End-to-end tests of memnets.training.loop.train_and_evaluate on a tiny LSTM run."""


# (threefry sampling); numerics are unaffected at test tolerance.

import json

import jax.numpy as jnp
import numpy as np
import pytest

from experiments.configs import lstm_copy
from memnets import training
from memnets.training import checkpoints

NAN_STEP = 3  # the step (0-based) whose loss the tests make non-finite


def _rows(workdir):
  return [json.loads(line) for line in (workdir / "metrics.jsonl").read_text().splitlines()]


def _nan_at(step_to_break):
  def transform(loss, step):
    return loss * jnp.where(step == step_to_break, jnp.nan, 1.0)  # NaN gradients too

  return transform


def test_nonfinite_stops_run_and_keeps_last_good_checkpoint(tmp_path):
  with pytest.raises(training.NonFiniteError, match=rf"at step {NAN_STEP}\b"):
    training.train_and_evaluate(
      lstm_copy.get_config("smoke"), tmp_path, loss_transform=_nan_at(NAN_STEP)
    )
  rows = _rows(tmp_path)
  assert rows[-1]["event"] == "nonfinite" and rows[-1]["step"] == NAN_STEP
  assert all(row["step"] <= NAN_STEP for row in rows)
  restored = checkpoints.restore_latest(tmp_path)
  assert restored.step == NAN_STEP  # smoke checkpoints every 3 steps
  assert not (tmp_path / "summary.json").exists()


def test_nonfinite_skip_counts_and_continues(tmp_path):
  config = lstm_copy.get_config("smoke")
  config.train.skip_nonfinite = True
  summary = training.train_and_evaluate(config, tmp_path, loss_transform=_nan_at(NAN_STEP))
  assert summary["step"] == config.train.steps
  assert np.isfinite(summary["loss/mean"])
  train_rows = [row for row in _rows(tmp_path) if "loss" in row]
  counts = {row["step"]: row["nonfinite"] for row in train_rows}
  assert counts == {2: 0, 4: 1, 6: 1}
  assert np.isfinite(
    jnp.asarray(checkpoints.restore_latest(tmp_path).params["dense"]["kernel"])
  ).all()


def test_multi_seed_rows_and_summary(tmp_path):
  config = lstm_copy.get_config("smoke")
  config.num_seeds = 3
  config.train.steps = 2
  summary = training.train_and_evaluate(config, tmp_path)
  assert len(summary["per_seed"]["loss"]) == 3
  losses = np.asarray(summary["per_seed"]["loss"])
  assert summary["loss/mean"] == pytest.approx(losses.mean())
  assert summary["loss/std"] == pytest.approx(losses.std())
  assert summary["loss/best"] == pytest.approx(losses.min())
  assert summary["loss/best_seed"] == int(losses.argmin())
  rows = [row for row in _rows(tmp_path) if row["step"] == 2 and "loss" in row]
  assert sorted(row["seed"] for row in rows) == [0, 1, 2]
  assert len({row["loss"] for row in rows}) == 3  # seeds differ
  aggregate = [row for row in _rows(tmp_path) if row.get("aggregate") == "train"]
  assert aggregate and "loss/std" in aggregate[0]
  restored = checkpoints.restore_latest(tmp_path)
  assert restored.params["dense"]["kernel"].shape[0] == 3
  assert (tmp_path / "tensorboard").is_dir() and (tmp_path / "config.json").exists()
