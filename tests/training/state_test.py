"""Tests of memnets.training.state: stacked initialisation per seed."""

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
