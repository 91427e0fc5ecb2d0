"""The experiments.visualize binary end to end on an NTM workdir with a metrics file."""

import json
import os
import pathlib
import struct
import subprocess
import sys

from experiments.configs import ntm_copy
from memnets.training import checkpoints, optimizers
from memnets.training import config as config_lib
from memnets.training import state as state_lib

REPO = pathlib.Path(__file__).resolve().parents[1]
ENV = {
  **os.environ,
  "PYTHONPATH": str(REPO),
  "JAX_PLATFORMS": "cpu",
  "XLA_FLAGS": "--xla_backend_optimization_level=0",
}
ROWS = [
  {"step": 2, "loss": 5.0, "bit_errors": 4.0, "cost_bits": 9.0},
  {"step": 4, "loss": 4.0, "bit_errors": 3.0, "cost_bits": 7.0},
  {"step": 4, "eval/loss": 4.5, "eval/bit_errors": 3.5, "eval/cost_bits": 8.0},
]


def _make_workdir(path):
  """A workdir holding an untrained smoke NTM checkpoint and a small metrics.jsonl."""
  config = config_lib.from_mapping(ntm_copy.get_config("smoke"))
  task = config_lib.build_task(config)
  train_state = state_lib.init_stacked(config, task, optimizers.make(config.optimizer))
  path.mkdir()
  checkpoints.save_config(path, config)
  manager = checkpoints.manager(path, config.train.max_to_keep)
  checkpoints.save(manager, 4, train_state)
  manager.wait_until_finished()
  manager.close()
  (path / "metrics.jsonl").write_text("".join(json.dumps(row) + "\n" for row in ROWS))


def _visualize(workdir, *flags):
  command = [sys.executable, "-m", "experiments.visualize", f"--workdir={workdir}", *flags]
  return subprocess.run(command, cwd=REPO, env=ENV, capture_output=True, text=True, timeout=300)


def test_binary_writes_example_and_learning_curves(tmp_path):
  workdir = tmp_path / "run"
  _make_workdir(workdir)
  result = _visualize(workdir, "--length=3")
  assert result.returncode == 0, result.stderr[-3000:]
  figures = workdir / "figures"
  paths = [figures / "example.png", figures / "learning_curves.png"]
  assert result.stdout.split() == [str(path) for path in paths]
  for path in paths:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5_000
    width, height = struct.unpack(">II", data[16:24])
    assert width > 500 and height > 300
