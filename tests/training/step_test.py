"""Tests of memnets.training.step and .state: on-device batches, guard, multi-seed independence."""

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from experiments.configs import lstm_copy, neural_gpu_addition, ntm_copy
from memnets.tasks import metrics as task_metrics
from memnets.training import config as config_lib
from memnets.training import optimizers
from memnets.training import state as state_lib
from memnets.training import step as step_lib

TRAIN_STEPS = 3


def _steps(num_seeds=1, seed=0, skip=False, loss_transform=None):
  raw = lstm_copy.get_config("smoke")
  raw.num_seeds, raw.train.seed, raw.train.skip_nonfinite = num_seeds, seed, skip
  config = config_lib.from_mapping(raw)
  task = config_lib.build_task(config)
  optimizer = optimizers.make(config.optimizer)
  steps = step_lib.Steps(
    config, task, state_lib.graphdef(config, task), optimizer, loss_transform=loss_transform
  )
  return steps, state_lib.init_stacked(config, task, optimizer)


def test_batches_are_a_function_of_seed_and_step():
  steps, _ = _steps()
  a = steps.sample_train(jnp.int32(0), jnp.int32(5))
  b = steps.sample_train(jnp.int32(0), jnp.int32(5))
  c = steps.sample_train(jnp.int32(0), jnp.int32(6))
  d = steps.sample_train(jnp.int32(1), jnp.int32(5))
  np.testing.assert_array_equal(a.inputs, b.inputs)
  assert not np.array_equal(a.inputs, c.inputs) and not np.array_equal(a.inputs, d.inputs)


def test_seed_k_of_k_seeds_equals_single_seed_run():
  multi, state_k = _steps(num_seeds=3)
  single, state_1 = _steps(num_seeds=1, seed=2)
  leaves_k = jax.tree.leaves(state_k.params)
  assert all(leaf.shape[0] == 3 for leaf in leaves_k)
  kernel = state_k.params["dense"]["kernel"]
  assert not np.allclose(kernel[0], kernel[1])  # different seeds, different params
  state_k, metrics_k = multi.train(state_k, TRAIN_STEPS)
  state_1, metrics_1 = single.train(state_1, TRAIN_STEPS)
  assert int(state_k.step[2]) == TRAIN_STEPS
  np.testing.assert_allclose(metrics_k["loss"][2], metrics_1["loss"][0], rtol=1e-5)
  for a, b in zip(jax.tree.leaves(state_k.params), jax.tree.leaves(state_1.params), strict=True):
    np.testing.assert_allclose(a[2], b[0], rtol=1e-5, atol=1e-6)


def test_runs_that_differ_only_in_seed_compile_the_same_programs():
  # The seeds are arguments of the compiled programs, not constants in them,
  # so a run with another seed finds its programs in the compilation cache.
  (a, state_a), (b, state_b) = _steps(seed=0), _steps(seed=5)
  assert int(a.seeds[0]) == 0 and int(b.seeds[0]) == 5

  def texts(steps, state):
    init = state_lib.jit_init(steps.config, steps.task, steps.optimizer)
    return [
      steps._train.lower(state, 2, steps.seeds).as_text(),
      steps._evaluate.lower(state, steps.seeds).as_text(),
      init.lower(steps.seeds).as_text(),
    ]

  assert texts(a, state_a) == texts(b, state_b)


def _nan_at_step_one(loss, step):
  return loss * jnp.where(step == 1, jnp.nan, 1.0)


def test_guard_stop_freezes_state():
  steps, state = _steps(loss_transform=_nan_at_step_one)
  state, _ = steps.train(state, 1)
  good = jax.tree.map(np.asarray, state)
  state, metrics = steps.train(state, 2)  # step 1 fails; step 2 must not run
  assert int(state.step[0]) == 1 and int(state.nonfinite[0]) == 1
  assert int(state.first_nonfinite_step[0]) == 1
  for a, b in zip(jax.tree.leaves(state.params), jax.tree.leaves(good.params), strict=True):
    np.testing.assert_array_equal(a, b)


def test_guard_skip_continues():
  steps, state = _steps(skip=True, loss_transform=_nan_at_step_one)
  state, metrics = steps.train(state, 3)
  assert int(state.step[0]) == 3 and int(state.nonfinite[0]) == 1
  assert all(np.isfinite(leaf).all() for leaf in jax.tree.leaves(state.params))
  assert np.isfinite(metrics["loss"]).all() and int(metrics["nonfinite"][0]) == 1


def test_evaluation_adds_the_ntm_diagnostics_per_seed():
  raw = ntm_copy.get_config("smoke")
  raw.num_seeds = 2
  config = config_lib.from_mapping(raw)
  task = config_lib.build_task(config)
  optimizer = optimizers.make(config.optimizer)
  steps = step_lib.Steps(config, task, state_lib.graphdef(config, task), optimizer)
  metrics = steps.evaluate(state_lib.init_stacked(config, task, optimizer))
  for name in ("max_abs_logit", "output_weight_norm", "read_gamma", "write_max_weight"):
    values = np.asarray(metrics[f"diag/{name}"])
    assert values.shape == (2,) and np.all(np.isfinite(values)), name
  assert np.all(np.asarray(metrics["diag/read_gamma"]) >= 1.0)
  lstm_steps, lstm_state = _steps()
  assert not any(k.startswith("diag/") for k in lstm_steps.evaluate(lstm_state))


def test_a_model_with_a_training_pass_trains_through_it_its_penalty_in_the_loss():
  raw = neural_gpu_addition.get_config("smoke")
  raw.model.dropout = 0.0  # the training pass is then the model's logits plus the pull
  config = config_lib.from_mapping(raw)
  task = config_lib.build_task(config)
  optimizer = optimizers.make(config.optimizer)
  graphdef = state_lib.graphdef(config, task)
  steps = step_lib.Steps(config, task, graphdef, optimizer)
  state = state_lib.init_stacked(config, task, optimizer)
  _, metrics = jax.jit(steps.step)(state)
  params = jax.tree.map(lambda p: p[0], state.params)
  batch = steps.sample_train(steps.seeds[0], jnp.int32(0))
  logits = step_lib.forward(graphdef, params, batch.inputs)
  plain = task_metrics.loss(task.loss, logits, batch.targets, batch.mask, "step_mean")
  pull = nnx.merge(graphdef, params).pull(jnp.int32(0))
  assert float(pull) > 0
  np.testing.assert_allclose(metrics["loss"][0], plain + pull, rtol=1e-5)
