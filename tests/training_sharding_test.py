"""Tests of memnets.training.sharding: 4 CPU devices give the loss curve of one device."""

import json
import os
import pathlib
import subprocess
import sys

import jax
import numpy as np

from experiments.configs import lstm_copy
from memnets import training
from memnets.training import sharding

REPO = pathlib.Path(__file__).resolve().parents[1]
DEVICES = 4
RUNS = {"batch_parallel": 1, "seed_parallel": DEVICES}  # run name -> num_seeds

SCRIPT = f"""
import sys
import jax
from experiments.configs import lstm_copy
from memnets import training
from memnets.training import sharding
assert jax.device_count() == {DEVICES}, jax.devices()
assert not sharding.layout(1).seed_parallel and sharding.layout({DEVICES}).seed_parallel
# Given batch sizes, the most devices that split them (or the seeds) evenly.
assert sharding.layout(1, (6, 12)).mesh.devices.size == 3
assert sharding.layout(1, (1,)).mesh.devices.size == 1
assert sharding.layout(2, (1,)).seed_parallel and sharding.layout(2, (1,)).mesh.devices.size == 2
for name, seeds in {RUNS!r}.items():
  config = lstm_copy.get_config("smoke")
  config.num_seeds = seeds
  training.train_and_evaluate(config, sys.argv[1] + "/" + name)
"""


def _losses(workdir):
  rows = [json.loads(line) for line in (workdir / "metrics.jsonl").read_text().splitlines()]
  return np.array([row["loss"] for row in rows if "loss" in row])


def test_layout_on_one_device():
  layout = sharding.layout(3)
  assert not layout.seed_parallel
  assert layout.mesh.devices.size == jax.device_count()


def test_usable_device_count():
  assert sharding.usable_device_count(1, (32, 64), 4) == 4
  assert sharding.usable_device_count(1, (6, 12), 4) == 3
  assert sharding.usable_device_count(1, (32, 6), 4) == 2  # every batch must split
  assert sharding.usable_device_count(4, (1, 1), 4) == 4  # one seed per device
  assert sharding.usable_device_count(3, (5,), 4) == 3
  assert sharding.usable_device_count(1, (7,), 4) == 1
  assert sharding.usable_device_count(8, (8,), 1) == 1


def test_four_devices_match_one_device(tmp_path):
  env = {
    **os.environ,
    "PYTHONPATH": str(REPO),
    "JAX_PLATFORMS": "cpu",
    "XLA_FLAGS": f"--xla_force_host_platform_device_count={DEVICES} "
    "--xla_backend_optimization_level=0",
  }
  (tmp_path / "multi").mkdir()
  (tmp_path / "single").mkdir()
  result = subprocess.run(
    [sys.executable, "-c", SCRIPT, str(tmp_path / "multi")],
    cwd=REPO,
    env=env,
    capture_output=True,
    text=True,
    timeout=300,
  )
  assert result.returncode == 0, result.stderr[-3000:]
  for name, seeds in RUNS.items():
    config = lstm_copy.get_config("smoke")
    config.num_seeds = seeds
    training.train_and_evaluate(config, tmp_path / "single" / name)
    multi, single = _losses(tmp_path / "multi" / name), _losses(tmp_path / "single" / name)
    assert multi.shape == single.shape and multi.size >= 3 * seeds
    np.testing.assert_allclose(multi, single, rtol=1e-5, atol=1e-6)
