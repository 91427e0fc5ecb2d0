"""The experiments.train binary end to end, and its clean error exit on bad input."""

import json
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
ENV = {
  **os.environ,
  "PYTHONPATH": str(REPO),
  "JAX_PLATFORMS": "cpu",
  "XLA_FLAGS": "--xla_backend_optimization_level=0",
}


def _train(workdir, *flags, config="lstm_copy.py:smoke"):
  command = [
    sys.executable,
    "-m",
    "experiments.train",
    f"--config={REPO}/experiments/configs/{config}",
    f"--workdir={workdir}",
    *flags,
  ]
  return subprocess.run(command, cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300)


def test_binary_trains_smoke_config_with_overrides(tmp_path):
  result = _train(tmp_path / "run", "--config.model.hidden_size=4", "--config.num_seeds=2")
  assert result.returncode == 0, result.stderr[-3000:]
  saved = json.loads((tmp_path / "run" / "config.json").read_text())
  assert saved["model"]["hidden_size"] == 4
  assert saved["train"]["num_seeds"] == 2
  summary = json.loads((tmp_path / "run" / "summary.json").read_text())
  assert len(summary["per_seed"]["loss"]) == 2
  assert "steps/s" in result.stderr and "ETA" in result.stderr  # the progress line


def test_binary_bad_task_exits_cleanly(tmp_path):
  result = _train(tmp_path / "run", "--config.task.name=nope")
  assert result.returncode != 0
  assert "task.name" in result.stderr
  assert "Traceback" not in result.stderr
  assert not (tmp_path / "run").exists()


def test_binary_min_length_above_max(tmp_path):
  result = _train(tmp_path / "run", "--config.task.min_length=9")
  assert result.returncode != 0
  assert "task.min_length" in result.stderr and "Traceback" not in result.stderr
