"""Tests of memnets.training.optimizers: RMSProp/Adam construction and global-norm clipping."""

import dataclasses

import jax.numpy as jnp
import numpy as np
import optax
import pytest

from experiments import configs
from memnets.training import config as config_lib
from memnets.training import optimizers

# The shared base config keeps the NTM paper's optimiser (ntm_copy overrides it).
PAPER = config_lib.from_mapping(configs.base_config()).optimizer


def _apply(opt, grads):
  transform = optimizers.make(opt)
  params = {"w": jnp.zeros(3)}
  updates, _ = transform.update(grads, transform.init(params), params)
  return updates["w"]


def test_paper_settings():
  assert PAPER.name == "rmsprop" and PAPER.momentum == 0.9 and PAPER.learning_rate == 1e-4


def test_rmsprop_matches_optax_when_not_clipped():
  opt = dataclasses.replace(PAPER, clip_global_norm=0.0)
  grads = {"w": jnp.array([0.1, -0.2, 0.3])}
  reference = optax.rmsprop(1e-4, decay=0.95, eps=1e-4, momentum=0.9, centered=True)
  expected, _ = reference.update(grads, reference.init({"w": jnp.zeros(3)}))
  np.testing.assert_allclose(_apply(opt, grads), expected["w"], rtol=1e-6)


def test_clipping_bounds_the_gradient():
  grads = {"w": jnp.array([300.0, -400.0, 0.0])}  # norm 500
  adam = dataclasses.replace(PAPER, name="adam", learning_rate=1.0, clip_global_norm=5.0)
  sgd_like = optimizers.make(adam)
  # Clipping happens first: the clipped gradient is 500 -> 5, scaled 1/100.
  clipped, _ = optax.clip_by_global_norm(5.0).update(grads, optax.EmptyState())
  np.testing.assert_allclose(optax.tree.norm(clipped), 5.0, rtol=1e-6)
  updates, _ = sgd_like.update(grads, sgd_like.init({"w": jnp.zeros(3)}))
  np.testing.assert_allclose(updates["w"], [-1.0, 1.0, 0.0], atol=1e-4)  # Adam: -sign


def test_unknown_optimizer():
  with pytest.raises(config_lib.ConfigError, match=r"^optimizer\.name"):
    optimizers.make(dataclasses.replace(PAPER, name="sgd"))


def test_learning_rate_decays_exponentially_to_the_final_value():
  opt = dataclasses.replace(PAPER, learning_rate=1e-3, decay_steps=100, final_learning_rate=1e-5)
  schedule = optimizers.learning_rate_schedule(opt)
  np.testing.assert_allclose(schedule(0), 1e-3, rtol=1e-6)
  np.testing.assert_allclose(schedule(50), 1e-4, rtol=1e-5)  # halfway in log space
  np.testing.assert_allclose(schedule(100), 1e-5, rtol=1e-5)
  np.testing.assert_allclose(schedule(1000), 1e-5, rtol=1e-5)  # constant after decay_steps
  assert optimizers.learning_rate_schedule(PAPER) == PAPER.learning_rate  # decay_steps 0


def test_negative_decay_steps_is_rejected_by_name():
  config = configs.base_config()
  config.optimizer.decay_steps = -1
  with pytest.raises(config_lib.ConfigError, match="optimizer.decay_steps"):
    config_lib.validate(config_lib.from_mapping(config))
