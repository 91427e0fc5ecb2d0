"""experiments.benchmarks.programs: what the benchmark builds and times, called directly."""

import chex
import jax
import jax.numpy as jnp
import pytest
from helpers.configs import tiny_config

from experiments.benchmarks import programs
from experiments.configs import lstm_copy, ntm_copy
from memnets.training import config as config_lib
from memnets.training import sharding

BATCH, LENGTH = 2, 3
TIME_STEPS = 2 * LENGTH + 1  # copy: the sequence, a delimiter, then its recall
REFERENCES = {
  programs.PLAIN_NTM_REFERENCE: (programs.plain_ntm_programs, ntm_copy),
  programs.FLAX_REFERENCE: (programs.flax_reference_programs, lstm_copy),
}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_reference_train_threads_its_carry_and_forward_gives_logits(name):
  """The references' own train steps (the library's is `Steps.train`, tested with the loop)."""
  builder, module = REFERENCES[name]
  config = tiny_config(module, batch_size=BATCH, length=LENGTH)
  train, carry, forward, forward_carry, num_params = builder(
    config, sharding.training_layout(config.train)
  )
  params0, _, step0 = carry[0]
  params0 = jax.tree.map(jnp.copy, params0)  # the train call donates its carry
  assert int(step0) == 0
  assert num_params == programs.count_params(params0) > 0
  carry = train(train(carry))
  params2, _, step2 = carry[0]
  assert int(step2) == 2  # one optimiser step per call
  chex.assert_trees_all_equal_shapes(params0, params2)
  changed = jax.tree.map(lambda a, b: bool(jnp.any(a != b)), params0, params2)
  assert any(jax.tree.leaves(changed)), "two optimiser steps left every parameter unchanged"
  logits = forward(forward_carry)
  assert logits.shape == (BATCH, TIME_STEPS, config_lib.build_task(config).output_size)
  chex.assert_tree_all_finite(logits)


def test_forward_inputs_are_fixed_and_split_like_training_batches():
  config = tiny_config(ntm_copy, batch_size=BATCH, length=LENGTH)
  task = config_lib.build_task(config)
  layout = sharding.training_layout(config.train)
  first = programs.forward_inputs(config, task, layout)
  second = programs.forward_inputs(config, task, layout)
  assert first.shape == (BATCH, TIME_STEPS, task.input_size)
  chex.assert_trees_all_equal(first, second)  # the same batch every call: FORWARD_SEED
  assert first.sharding == sharding.batch_only(layout)


@pytest.mark.parametrize(
  "field,value", [("controller", "gru"), ("memory_init", "random"), ("num_write_heads", 2)]
)
def test_plain_ntm_rejects_a_model_it_does_not_have(field, value):
  config = tiny_config(ntm_copy, **{f"model__{field}": value})
  with pytest.raises(config_lib.ConfigError, match=f"model.{field}"):
    programs.plain_ntm_programs(config, sharding.training_layout(config.train))


def test_plain_ntm_needs_an_ntm_config():
  config = tiny_config(lstm_copy)
  with pytest.raises(config_lib.ConfigError, match="model.name"):
    programs.plain_ntm_programs(config, sharding.training_layout(config.train))
