"""The pure, jitted training and evaluation steps.

A training step samples its batch ON the device from
`fold_in(data_key(seed), step)` through the task and its curriculum, so a run
is a function of its config and seed alone (no data-iterator state to save),
unrolls the model, takes the masked loss of `memnets.tasks.metrics`, and
applies the clipped optimiser update — unless the loss or any gradient is
non-finite (the guard below), in which case the parameters and optimiser state
are kept as they were.

Guard, per seed:
- stop mode (`skip_nonfinite=False`): the first non-finite step freezes the
  state (its step counter stays at the failing step); the loop sees
  `nonfinite > 0` and stops the run.
- skip mode: the step is skipped (step counter still advances), counted in
  `nonfinite`, and training continues.

Every function works on a STACKED state (a leading seed axis K, see
`state.init_stacked`) by vmapping the single-seed update. Several steps run in
one compiled call (`lax.fori_loop` with a traced trip count), which cuts the
per-step dispatch overhead without recompiling for different chunk lengths.

When each batch is split over D devices (`sharding.per_device_split`), the
model runs vmapped over [D, B/D] with its parameters broadcast to one copy per
device: each device accumulates the gradient of its copy through the backward
scan, and the sum over devices (the broadcast's transpose) is one all-reduce
per step. With the parameters replicated instead, XLA's partitioner
all-reduces the weight gradients inside the backward scan, at every time step
(a synchronisation of all devices per time step; 41 per step of the copy NTM
at length 20).
"""

from collections.abc import Callable

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from memnets import tasks
from memnets.tasks import metrics as task_metrics
from memnets.training import config as config_lib
from memnets.training import sharding
from memnets.training import state as state_lib
from memnets.unrolling import unroll

DATA_STREAM = 1  # fold_in tag of the training-data key of a seed
EVAL_STREAM = 2  # fold_in tag of the evaluation-data key of a seed
MODEL_STREAM = 3  # fold_in tag of a training pass's own randomness (a model's dropout)

# A test-only hook: (loss, step) -> loss, applied before differentiation.
LossTransform = Callable[[jax.Array, jax.Array], jax.Array]


def stream_key(seed: jax.Array, stream: int) -> jax.Array:
  """The PRNG key of one data stream of one seed."""
  return jax.random.fold_in(jax.random.key(seed), stream)


def forward(graphdef: nnx.GraphDef, params, inputs: jax.Array, remat: bool = False) -> jax.Array:
  """Logits [B, T, O] of the model `nnx.merge(graphdef, params)` on inputs [B, T, I].

  A recurrent cell (one with `initial_state`) runs through `unroll`; a
  whole-sequence model (the Transformer, ...) is called on the whole input,
  `remat` then being the model's own concern.
  """
  return _logits(nnx.merge(graphdef, params), inputs, remat)


def _logits(model: nnx.Module, inputs: jax.Array, remat: bool) -> jax.Array:
  if not hasattr(model, "initial_state"):
    return model(inputs)
  _, logits_BxTxO = unroll(model, inputs, remat=remat)
  return logits_BxTxO


def train_forward(
  graphdef: nnx.GraphDef, params, inputs: jax.Array, key: jax.Array, step: jax.Array, remat=False
) -> tuple[jax.Array, jax.Array]:
  """(logits, penalty) of a training pass.

  A model with `train_logits(inputs, key, step) -> (logits, penalty)` (the
  Neural GPU: dropout, the relaxation's pull) is trained through it, the
  penalty added to the loss; any other model through `forward`, penalty 0.
  """
  model = nnx.merge(graphdef, params)
  if hasattr(model, "train_logits"):
    return model.train_logits(inputs, key, step)
  return _logits(model, inputs, remat), jnp.float32(0)


def _all_finite(tree) -> jax.Array:
  leaves = [jnp.all(jnp.isfinite(leaf)) for leaf in jax.tree.leaves(tree)]
  return jnp.all(jnp.stack(leaves))


def _select(pred: jax.Array, new, old):
  return jax.tree.map(lambda a, b: jnp.where(pred, a, b), new, old)


class Steps:
  """The compiled training and evaluation programs of one run.

  Methods:
    train: `(state [K], num_steps) -> (state [K], metrics [K])`, compiled,
      state donated; runs `num_steps` (traced int) optimiser steps and returns
      the metrics of the last one.
    evaluate: `(state [K]) -> metrics [K]`, compiled; the task metrics of a
      fresh batch at the training lengths, drawn from the eval stream at the
      state's step, and, for a model with a `diagnose(inputs)` method, its
      scalars under `diag/` (NTMCell: the heads' γ, gates, focus, the logits'
      size).
  Both take the seeds (`self.seeds`, train.seed + k) as an argument of the
  compiled program, so a run with another train.seed reuses its compilation.
  """

  def __init__(
    self,
    config: config_lib.Config,
    task: tasks.Task,
    graphdef: nnx.GraphDef,
    optimizer: optax.GradientTransformation,
    *,
    batch_sharding: jax.sharding.Sharding | None = None,
    loss_transform: LossTransform | None = None,
  ):
    self.config = config
    self.task = task
    self.graphdef = graphdef
    self.optimizer = optimizer
    self.curriculum = config_lib.build_curriculum(config)
    self.batch_sharding = batch_sharding
    self.loss_transform = loss_transform
    self.seeds = state_lib.seeds(config)
    # The seeds are an argument of the compiled programs, not a constant in
    # them: runs that differ only in train.seed share JAX's persistent
    # compilation cache.
    self._train = jax.jit(self._train_chunk, donate_argnums=0)
    self._evaluate = jax.jit(self._evaluate_seeds)

  def train(self, state: state_lib.TrainState, num_steps) -> tuple[state_lib.TrainState, dict]:
    """`num_steps` optimiser steps of every seed (compiled once per Steps; `state` donated)."""
    return self._train(state, num_steps, self.seeds)

  def evaluate(self, state: state_lib.TrainState) -> dict:
    """The task metrics of a fresh evaluation batch of every seed (compiled)."""
    return self._evaluate(state, self.seeds)

  def _constrain(self, batch: tasks.Batch) -> tasks.Batch:
    if self.batch_sharding is None:
      return batch
    return jax.lax.with_sharding_constraint(batch, self.batch_sharding)

  def sample_train(self, seed: jax.Array, step: jax.Array) -> tasks.Batch:
    """The training batch of one seed at `step` (a pure function of both)."""
    key = jax.random.fold_in(stream_key(seed, DATA_STREAM), step)
    length_key, batch_key = jax.random.split(key)
    lengths_B = self.curriculum(step, length_key, self.config.train.batch_size)
    return self.task.sample_train_lengths(batch_key, lengths_B, self.curriculum.max_length)

  def sample_eval(self, seed: jax.Array, step: jax.Array) -> tasks.Batch:
    """A fresh evaluation batch of one seed, lengths uniform on the training range."""
    key = jax.random.fold_in(stream_key(seed, EVAL_STREAM), step)
    lengths = (self.config.task.min_length, self.config.task.max_length)
    return self.task.sample(key, self.config.train.eval_batch_size, lengths)

  def _forward(self, params, inputs_BxTxI: jax.Array, key: jax.Array, step: jax.Array):
    """`train_forward` of one seed; a batch split over D devices runs as [D, B/D] with D param copies.

    (See the module docstring: the copies keep the weight gradients of the
    backward scan on their devices until one all-reduce after it.)
    """
    remat = self.config.train.remat
    count, per_device = sharding.per_device_split(self.batch_sharding)
    if count == 1:
      return train_forward(self.graphdef, params, inputs_BxTxI, key, step, remat)
    batch_size = inputs_BxTxI.shape[0]
    inputs = inputs_BxTxI.reshape(count, batch_size // count, *inputs_BxTxI.shape[1:])
    inputs = jax.lax.with_sharding_constraint(inputs, per_device)
    copies = jax.tree.map(lambda p: jnp.broadcast_to(p, (count, *p.shape)), params)
    copies = jax.lax.with_sharding_constraint(copies, per_device)
    keys = jax.random.split(key, count)
    logits, penalties = jax.vmap(
      lambda p, x, k: train_forward(self.graphdef, p, x, k, step, remat)
    )(copies, inputs, keys)
    return logits.reshape(batch_size, *logits.shape[2:]), jnp.mean(penalties)

  def _loss(self, params, batch: tasks.Batch, step: jax.Array, key: jax.Array):
    logits, penalty = self._forward(params, batch.inputs, key, step)
    train = self.config.train
    loss = task_metrics.loss(
      self.task.loss,
      logits,
      batch.targets,
      batch.mask,
      train.loss_reduction,
      outlier_cap=train.outlier_cap,
    )
    loss = loss + penalty  # a training pass's own terms (0 for most models)
    if self.loss_transform is not None:
      loss = self.loss_transform(loss, step)
    return loss, logits

  def _update(self, state: state_lib.TrainState, batch: tasks.Batch, seed: jax.Array):
    """One guarded optimiser step of one seed."""
    key = jax.random.fold_in(stream_key(seed, MODEL_STREAM), state.step)
    (loss, logits), grads = jax.value_and_grad(self._loss, has_aux=True)(
      state.params, batch, state.step, key
    )
    finite = jnp.isfinite(loss) & _all_finite(grads)
    updates, opt_state = self.optimizer.update(grads, state.opt_state, state.params, value=loss)
    params = optax.apply_updates(state.params, updates)
    skip = self.config.train.skip_nonfinite
    halted = jnp.logical_and(not skip, state.nonfinite > 0)
    apply = finite & ~halted
    counts = ~finite & ~halted
    new_state = state_lib.TrainState(
      step=state.step + jnp.where(apply | skip, 1, 0).astype(jnp.int32),
      params=_select(apply, params, state.params),
      opt_state=_select(apply, opt_state, state.opt_state),
      nonfinite=state.nonfinite + counts.astype(jnp.int32),
      first_nonfinite_step=jnp.where(
        counts & (state.first_nonfinite_step == state_lib.NO_STEP),
        state.step,
        state.first_nonfinite_step,
      ),
    )
    metrics = task_metrics.summary(self.task.loss, logits, batch.targets, batch.mask)
    metrics["loss"] = loss
    metrics["grad_norm"] = optax.tree.norm(grads)
    metrics["nonfinite"] = new_state.nonfinite
    return new_state, metrics

  def step(self, state: state_lib.TrainState, seeds: jax.Array | None = None):
    """One step of every seed: `(state [K]) -> (state [K], metrics [K])` (not jitted).

    `seeds` [K] defaults to the config's (`self.seeds`).
    """
    seeds = self.seeds if seeds is None else seeds
    batch = jax.vmap(self.sample_train)(seeds, state.step)
    batch = self._constrain(batch)
    return jax.vmap(self._update)(state, batch, seeds)

  def _train_chunk(self, state: state_lib.TrainState, num_steps: jax.Array, seeds: jax.Array):
    # One jit object for the shape query and the loop body: the step is traced
    # once, not twice (its trace is most of the program's tracing time).
    step = jax.jit(self.step)
    _, metrics_shape = jax.eval_shape(step, state, seeds)
    zeros = jax.tree.map(lambda s: jnp.zeros(s.shape, s.dtype), metrics_shape)
    return jax.lax.fori_loop(0, num_steps, lambda _, carry: step(carry[0], seeds), (state, zeros))

  def _evaluate_seeds(self, state: state_lib.TrainState, seeds: jax.Array):
    batch = jax.vmap(self.sample_eval)(seeds, state.step)
    batch = self._constrain(batch)

    def seed_metrics(params, seed_batch):
      logits = forward(self.graphdef, params, seed_batch.inputs)
      metrics = task_metrics.summary(self.task.loss, logits, seed_batch.targets, seed_batch.mask)
      model = nnx.merge(self.graphdef, params)
      if hasattr(model, "diagnose"):  # e.g. NTMCell: heads' γ, gates, focus, logit size
        metrics.update({f"diag/{k}": v for k, v in model.diagnose(seed_batch.inputs).items()})
      return metrics

    return jax.vmap(seed_metrics)(state.params, batch)
