"""The train state: step, parameters, optimiser state and the non-finite guard's counters.

The model is built once from the config and split at the gradient boundary:
`graphdef, params = nnx.split(model, nnx.Param)`. The state holds `params` as a
plain nested dict of arrays (`nnx.to_pure_dict`), which orbax saves and
`nnx.merge(graphdef, params)` turns back into a model inside the loss.

For K seeds every leaf gets a leading seed axis `[K, ...]` (`init_stacked`);
seed index k is initialised exactly like a single-seed run with seed
`train.seed + k`.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from memnets import models, tasks
from memnets.training import config as config_lib

NO_STEP = -1  # first_nonfinite_step before any non-finite step


class TrainState(NamedTuple):
  """Everything a run carries from one step to the next (no PRNG state: see step.py)."""

  step: jax.Array  # [] int32: optimiser steps taken
  params: Any  # nested dict of the model's nnx.Param values
  opt_state: Any  # the optax state of `params`
  nonfinite: jax.Array  # [] int32: steps whose loss or gradient was non-finite
  first_nonfinite_step: jax.Array  # [] int32: step of the first one, NO_STEP if none


def model_factory(config: config_lib.Config, task: tasks.Task) -> Callable[[jax.Array], Any]:
  """A function `key -> model` building `config.model` for `task`'s sizes."""

  def build(key: jax.Array):
    return models.build(
      config.model.name,
      task.input_size,
      task.output_size,
      rngs=nnx.Rngs(key),
      **config.model.kwargs,
    )

  return build


def graphdef(config: config_lib.Config, task: tasks.Task) -> nnx.GraphDef:
  """The model's static structure (no parameters are computed)."""
  build = model_factory(config, task)
  try:
    abstract = nnx.eval_shape(lambda: build(jax.random.key(0)))
  except (TypeError, ValueError, ArithmeticError) as error:
    raise config_lib.ConfigError(f"model: cannot build {config.model.name!r}: {error}") from None
  definition, _ = nnx.split(abstract, nnx.Param)
  return definition


def init(
  config: config_lib.Config,
  task: tasks.Task,
  optimizer: optax.GradientTransformation,
  seed: jax.typing.ArrayLike,
) -> TrainState:
  """The initial state of one seed (jit- and vmap-able in `seed`)."""
  model = model_factory(config, task)(jax.random.key(seed))
  _, params = nnx.split(model, nnx.Param)
  params = nnx.to_pure_dict(params)
  return TrainState(
    step=jnp.zeros((), jnp.int32),
    params=params,
    opt_state=optimizer.init(params),
    nonfinite=jnp.zeros((), jnp.int32),
    first_nonfinite_step=jnp.full((), NO_STEP, jnp.int32),
  )


def seeds(config: config_lib.Config) -> jax.Array:
  """[K] the seed of each seed index: train.seed + k."""
  return config.train.seed + jnp.arange(config.train.num_seeds, dtype=jnp.int32)


def init_stacked(
  config: config_lib.Config,
  task: tasks.Task,
  optimizer: optax.GradientTransformation,
  seed_values: jax.Array | None = None,
) -> TrainState:
  """The initial state of all `train.num_seeds` seeds, every leaf `[K, ...]` (not jitted).

  `seed_values` [K] defaults to `seeds(config)`; pass them in as an argument
  of a jitted caller so that one compiled program serves every train.seed.
  The seeds are initialised one after the other (`lax.map`), not vmapped:
  vmapped, the orthogonal initialisers of the recurrent kernels become
  batched LAPACK QR calls, and a program running several of them beside
  other work deadlocks XLA's CPU runtime (every thread idle, the call never
  returns; e.g. the 3 × 256 LSTM with 4 seeds, or the copy NTM with 2 seeds
  per device on 2 devices).
  """
  seed_values = seeds(config) if seed_values is None else seed_values
  return jax.lax.map(lambda seed: init(config, task, optimizer, seed), seed_values)


def jit_init(
  config: config_lib.Config,
  task: tasks.Task,
  optimizer: optax.GradientTransformation,
  out_sharding: jax.sharding.Sharding | None = None,
):
  """`init_stacked` jitted with the seeds as its argument: `seed_values [K] -> TrainState`.

  One compiled program serves every train.seed (call it with `seeds(config)`);
  `out_sharding` places the state.
  """
  return jax.jit(
    lambda seed_values: init_stacked(config, task, optimizer, seed_values),
    out_shardings=out_sharding,
  )


def unstack(state: TrainState, index: int) -> TrainState:
  """Seed `index` of a stacked state."""
  return jax.tree.map(lambda leaf: leaf[index], state)
