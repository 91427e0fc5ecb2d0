"""NeuralGPU: shapes, each example's own step count, the relaxation, dropout, finite gradients."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from memnets import models, tasks
from memnets.neural_gpu import NeuralGPU

SMALL = dict(features=6, relax=2)


def small(**overrides):
  return NeuralGPU(3, 2, **{**SMALL, **overrides}, rngs=nnx.Rngs(0))


def addition(bits, max_bits, seed=0):
  task = tasks.get("neural_gpu_addition")
  return task.sample_lengths(jax.random.key(seed), jnp.asarray(bits), max_bits)


def test_an_example_runs_its_own_steps_however_far_its_batch_is_padded():
  short = addition([3], 3)  # a tape of 7 symbols
  padded = addition([3], 9)  # the same example (same key) on a tape of 19
  np.testing.assert_array_equal(padded.inputs[:, :7], short.inputs)
  model = models.MODELS["neural_gpu"](3, 2, **SMALL, rngs=nnx.Rngs(0))
  logits = model(padded.inputs)
  chex.assert_shape(logits, (1, 19, 2))  # a logit vector per tape position
  np.testing.assert_allclose(logits[:, :7], model(short.inputs), atol=1e-5)


def test_without_dropout_the_training_pass_is_the_model_plus_the_pull():
  batch = addition([2, 3], 3)
  model = small(dropout=0.0)
  logits, penalty = model.train_logits(batch.inputs, jax.random.key(1), jnp.int32(0))
  np.testing.assert_allclose(logits, model(batch.inputs), atol=1e-6)
  np.testing.assert_allclose(penalty, model.pull(jnp.int32(0)), rtol=1e-6)
  assert small(relax=1).pull(jnp.int32(10**6)) == 0.0


def test_dropout_changes_the_training_pass_only():
  batch = addition([3, 3], 3)
  model = small(dropout=3.0)  # a rate of 3 / 7 on tapes of 7
  key = jax.random.key(2)
  a, _ = model.train_logits(batch.inputs, key, jnp.int32(0))
  b, _ = model.train_logits(batch.inputs, jax.random.key(3), jnp.int32(0))
  assert not np.allclose(a, b) and not np.allclose(a, model(batch.inputs))
  np.testing.assert_array_equal(a, model.train_logits(batch.inputs, key, jnp.int32(0))[0])


def test_step_t_uses_copy_t_mod_r():
  batch = addition([2, 3], 3)
  one = small(relax=1)
  two = small(relax=2)
  for name in ("gate_kernel", "gate_bias", "candidate_kernel", "candidate_bias"):
    same = getattr(one, name)[...]
    getattr(two, name)[...] = jnp.concatenate([same, same])  # both copies equal copy 0
  for name in ("embedding",):
    getattr(two, name)[...] = getattr(one, name)[...]
  two.project, two.readout = one.project, one.readout
  np.testing.assert_allclose(two(batch.inputs), one(batch.inputs), atol=1e-6)
  assert float(two.pull(jnp.int32(0))) == 0.0  # equal copies: no spread
  two.gate_bias[...] = two.gate_bias[...].at[1].add(1.0)  # copy 1 differs
  assert not np.allclose(two(batch.inputs), one(batch.inputs))


def test_the_pull_draws_the_copies_together_and_its_weight_is_capped():
  model = small(relax=3, relax_start=0.01, relax_growth=2.0, relax_every=1, relax_max=0.1)
  graphdef, params = nnx.split(model, nnx.Param)

  def pull(params):
    return nnx.merge(graphdef, params).pull(jnp.int32(0))

  @jax.jit
  def descend(params):
    grads = jax.grad(pull)(params)
    return jax.tree.map(lambda p, g: p - 10.0 * g, params, grads)

  before = float(pull(params))
  for _ in range(20):
    params = descend(params)
  assert float(pull(params)) < 0.2 * before
  # The weight: 0.01 · 2^step, capped at 0.1, finite at any step.
  spread = float(model.pull(jnp.int32(0))) / 0.01
  assert float(model.pull(jnp.int32(1))) == pytest.approx(0.02 * spread, rel=1e-5)
  assert float(model.pull(jnp.int32(10**9))) == pytest.approx(0.1 * spread, rel=1e-5)


@pytest.mark.parametrize("inputs", ["padding", "huge"])
def test_gradients_are_finite_at_an_all_padding_batch_and_huge_inputs(inputs):
  model = small(dropout=1.2, saturation_cost=1.0)
  graphdef, params = nnx.split(model, nnx.Param)
  xs = {"padding": jnp.zeros((2, 5, 3)), "huge": 1e4 * addition([2, 2], 2).inputs}[inputs]

  def loss(params):
    logits, penalty = nnx.merge(graphdef, params).train_logits(xs, jax.random.key(0), 7)
    return jnp.sum(logits**2) + penalty

  value, grads = jax.jit(jax.value_and_grad(loss))(params)
  chex.assert_tree_all_finite((value, grads))


def test_bad_sizes_are_refused():
  with pytest.raises(ValueError, match="kernel_size"):
    small(kernel_size=2)
  with pytest.raises(ValueError, match="relax"):
    small(relax=0)
