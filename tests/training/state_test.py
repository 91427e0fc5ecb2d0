"""Tests of memnets.training.state: stacked initialisation per seed."""

import json

import jax
import numpy as np
import pytest

from experiments.configs import lstm_copy
from memnets.training import config as config_lib
from memnets.training import optimizers
from memnets.training import state as state_lib


def _setup(num_seeds):
  raw = lstm_copy.get_config("smoke")
  raw.num_seeds = num_seeds
  config = config_lib.from_mapping(raw)
  return config, config_lib.build_task(config), optimizers.make(config.optimizer)


def test_stacked_init_matches_single_init():
  config, task, optimizer = _setup(2)
  stacked = state_lib.init_stacked(config, task, optimizer)
  assert stacked.step.shape == (2,) and int(stacked.first_nonfinite_step[0]) == state_lib.NO_STEP
  single = state_lib.init(config, task, optimizer, 1)
  for a, b in zip(
    jax.tree.leaves(state_lib.unstack(stacked, 1)), jax.tree.leaves(single), strict=True
  ):
    np.testing.assert_array_equal(a, b)


def test_unbuildable_model_is_config_error():
  config, task, _ = _setup(1)
  bad = config_lib.Config(
    model=config_lib.ModelConfig("lstm", {"hidden_size": 4, "bogus": 1}),
    task=config.task,
    optimizer=config.optimizer,
    train=config.train,
  )
  with pytest.raises(config_lib.ConfigError, match=r"^model"):
    state_lib.graphdef(bad, task)


_SEED_PARALLEL_SCRIPT = """
import json

import jax
from experiments.configs import lstm_copy, ntm_copy
from memnets.training import config as config_lib, optimizers, sharding, state as state_lib
from memnets.training import step as step_lib
assert jax.device_count() == 2, jax.devices()
done = []
for module, train, num_seeds in ((ntm_copy, True, 4), (lstm_copy, False, 8)):
  raw = module.get_config()  # the paper run's sizes and default batch
  raw.num_seeds = num_seeds
  config = config_lib.from_mapping(raw)
  layout = sharding.training_layout(config.train)
  assert layout.seed_parallel and layout.mesh.devices.size == 2
  task, optimizer = config_lib.build_task(config), optimizers.make(config.optimizer)
  state = state_lib.jit_init(config, task, optimizer, layout.state)(state_lib.seeds(config))
  assert all(leaf.sharding.is_equivalent_to(layout.state, leaf.ndim) for leaf in
             jax.tree.leaves(state))
  if train:
    graphdef = state_lib.graphdef(config, task)
    steps = step_lib.Steps(config, task, graphdef, optimizer, batch_sharding=layout.batch)
    state, metrics = steps.train(state, 1)
  jax.block_until_ready(state)
  done.append([module.__name__.split(".")[-1], num_seeds])
print(json.dumps(done))
"""


def test_seed_parallel_init_and_training_finish_on_two_devices(binaries):
  # Two or more seeds per device at the paper runs' sizes: the partitioned
  # init program used to hang forever on two CPU devices (the smoke sizes did not).
  flags = "--xla_force_host_platform_device_count=2 --xla_backend_optimization_level=0"
  result = binaries.python("-c", _SEED_PARALLEL_SCRIPT, XLA_FLAGS=flags, timeout=120)
  assert result.returncode == 0, result.stderr[-3000:]
  expected = [["ntm_copy", 4], ["lstm_copy", 8]]
  assert json.loads(result.stdout.splitlines()[-1]) == expected
