"""The experiments.train binary end to end, and its clean error exit on bad input."""

import json

import pytest


@pytest.fixture
def train(binaries):
  def run(workdir, *flags, config="lstm_copy.py:smoke"):
    config_flag = f"--config={binaries.repo}/experiments/configs/{config}"
    return binaries.run("experiments.train", config_flag, f"--workdir={workdir}", *flags)

  return run


def test_binary_trains_smoke_config_with_overrides(tmp_path, train):
  result = train(tmp_path / "run", "--config.model.hidden_size=4", "--config.num_seeds=2")
  assert result.returncode == 0, result.stderr[-3000:]
  saved = json.loads((tmp_path / "run" / "config.json").read_text())
  assert saved["model"]["hidden_size"] == 4
  assert saved["train"]["num_seeds"] == 2
  summary = json.loads((tmp_path / "run" / "summary.json").read_text())
  assert len(summary["per_seed"]["loss"]) == 2
  assert "steps/s" in result.stderr and "ETA" in result.stderr  # the progress line


def test_binary_bad_task_exits_cleanly(tmp_path, train):
  result = train(tmp_path / "run", "--config.task.name=nope")
  assert result.returncode != 0
  assert "task.name" in result.stderr
  assert "Traceback" not in result.stderr
  assert not (tmp_path / "run").exists()


def test_binary_min_length_above_max(tmp_path, train):
  result = train(tmp_path / "run", "--config.task.min_length=9")
  assert result.returncode != 0
  assert "task.min_length" in result.stderr and "Traceback" not in result.stderr
