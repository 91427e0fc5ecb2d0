"""What the benchmark times: the library's training step and forward pass, and references.

`library_programs(config, layout)` builds the task, the model, the optimiser
and the train state exactly as a training run does (`memnets.training`) and
returns `Steps.train(state, 1)`, one optimiser step per compiled call, as the
training loop calls it; speed work on the cells, `unroll` or the training step
therefore shows up here unchanged. The forward-only pass is
`training.step.forward` (the same `unroll`), jitted, on a batch of the same
shapes. Both are laid out as the training loop lays them out
(`sharding.layout`): the batch is split over every device that divides it,
which on the CPU, with the flags of `experiments.platform.setup()`, means one
part per core.

References, each in its own small jitted train step with the same task, loss,
optimiser and batch split:
- `FLAX_REFERENCE`: for the NTM paper's LSTM baseline (Graves, Wayne &
  Danihelka 2014, §4: 3 layers × 256 units), Flax's own `nnx.RNN` over
  `nnx.OptimizedLSTMCell` layers, a reference for the overhead of our cell
  interface and `unroll`;
- `PLAIN_NTM_REFERENCE`: for the NTM, `experiments.benchmarks.plain_ntm`, a
  straightforward JAX NTM (one scan of plain `jnp`, automatic gradients), a
  reference for what memnets' NTM work buys.

Every builder returns `(train, train_carry, forward, forward_carry,
num_params)` for `timing.measure`.
"""

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from experiments.benchmarks import plain_ntm
from memnets.tasks import metrics as task_metrics
from memnets.training import config as config_lib
from memnets.training import optimizers, sharding
from memnets.training import state as state_lib
from memnets.training import step as step_lib

FLAX_REFERENCE = "flax_lstm"  # model label of the Flax nnx.RNN reference
PLAIN_NTM_REFERENCE = "plain_ntm"  # model label of `plain_ntm`, a straightforward JAX NTM
FORWARD_SEED = 7  # key of the forward pass's input batch


def count_params(params) -> int:
  return int(sum(leaf.size for leaf in jax.tree.leaves(params)))


def forward_inputs(config: config_lib.Config, task, layout: sharding.Layout) -> jax.Array:
  """The forward pass's fixed input batch [B, T, I], split over the layout's devices."""
  inputs = task.sample(
    jax.random.key(FORWARD_SEED), config.train.batch_size, config.task.max_length
  ).inputs
  return jax.device_put(inputs, sharding.batch_only(layout))


def library_programs(config: config_lib.Config, layout: sharding.Layout):
  """The library's train call and a jitted forward pass of `config`'s model.

  `layout` (`sharding.training_layout` of the config) places the train state
  and splits the batches, as in a training run.

  Returns:
    `(train, train_carry, forward, forward_carry, num_params)`: `train` maps
    `(state [K], metrics)` to the same after one `Steps.train` step; `forward`
    maps anything to logits [B, T, O] of seed 0 on a fixed batch.
  """
  task = config_lib.build_task(config)
  optimizer = optimizers.make(config.optimizer)
  graphdef = state_lib.graphdef(config, task)
  steps = step_lib.Steps(config, task, graphdef, optimizer, batch_sharding=layout.batch)
  train_state = state_lib.jit_init(config, task, optimizer, layout.state)(steps.seeds)
  params = state_lib.unstack(train_state, 0).params  # a copy, safe from donation
  inputs = forward_inputs(config, task, layout)
  one_step = jnp.ones((), jnp.int32)
  forward = jax.jit(lambda p, x: step_lib.forward(graphdef, p, x))
  return (
    lambda carry: steps.train(carry[0], one_step),
    (train_state, None),
    lambda _: forward(params, inputs),
    None,
    count_params(params),
  )


class FlaxStackedLSTM(nnx.Module):
  """Flax's own `nnx.RNN` over `nnx.OptimizedLSTMCell`, layer after layer, and a read-out."""

  def __init__(
    self, input_size: int, output_size: int, hidden_size: int, num_layers: int, *, rngs: nnx.Rngs
  ):
    sizes = [input_size] + [hidden_size] * num_layers
    self.layers = nnx.List(
      [nnx.RNN(nnx.OptimizedLSTMCell(sizes[k], sizes[k + 1], rngs=rngs)) for k in range(num_layers)]
    )
    self.readout = nnx.Linear(hidden_size, output_size, rngs=rngs)
    self.hidden_size = hidden_size

  def __call__(self, xs_BxTxI: jax.Array) -> jax.Array:
    zeros_BxH = jnp.zeros((xs_BxTxI.shape[0], self.hidden_size), xs_BxTxI.dtype)
    for layer in self.layers:  # zero (c, h) passed in: no PRNG use inside the jitted step
      xs_BxTxI = layer(xs_BxTxI, initial_carry=(zeros_BxH, zeros_BxH))
    return self.readout(xs_BxTxI)


def _reference_programs(config: config_lib.Config, layout: sharding.Layout, apply, params):
  """The train call and forward pass of a reference model `apply(params, inputs [B, T, I])`.

  Its own small jitted train step samples the batch on the device from
  `fold_in(key, step)`, like the library's, splits it as the library's
  `Steps` does, and applies the same masked loss and the same optax
  optimiser, for one seed.
  """
  task = config_lib.build_task(config)
  optimizer = optimizers.make(config.optimizer)
  batch_size, length = config.train.batch_size, config.task.max_length
  data_key = jax.random.key(config.train.seed)
  batch_spec = sharding.batch_only(layout)

  def loss_fn(p, batch):
    logits = apply(p, batch.inputs)
    return task_metrics.loss(task.loss, logits, batch.targets, batch.mask)

  def train_step(carry):
    p, opt_state, step = carry
    batch = task.sample(jax.random.fold_in(data_key, step), batch_size, length)
    batch = jax.lax.with_sharding_constraint(batch, batch_spec)  # as the library's Steps
    loss, grads = jax.value_and_grad(loss_fn)(p, batch)
    updates, opt_state = optimizer.update(grads, opt_state, p, value=loss)
    return (optax.apply_updates(p, updates), opt_state, step + 1), loss

  train = jax.jit(train_step, donate_argnums=0)
  forward = jax.jit(apply)
  inputs = forward_inputs(config, task, layout)
  params = jax.device_put(params, layout.replicated)
  forward_params = jax.tree.map(jnp.copy, params)
  carry = ((params, optimizer.init(params), jnp.zeros((), jnp.int32)), None)
  return (
    lambda c: train(c[0]),
    carry,
    lambda _: forward(forward_params, inputs),
    None,
    count_params(params),
  )


def flax_reference_programs(config: config_lib.Config, layout: sharding.Layout):
  """Like `library_programs`, for `FlaxStackedLSTM` with `config`'s sizes, task and optimiser.

  The model's size comes from `config.model.kwargs` (`hidden_size`,
  `num_layers`).
  """
  task = config_lib.build_task(config)
  sizes = config.model.kwargs
  model = FlaxStackedLSTM(
    task.input_size,
    task.output_size,
    sizes.get("hidden_size", 256),
    sizes.get("num_layers", 1),
    rngs=nnx.Rngs(config.train.seed),
  )
  graphdef, params, rest = nnx.split(model, nnx.Param, ...)
  return _reference_programs(config, layout, lambda p, x: nnx.merge(graphdef, p, rest)(x), params)


def plain_ntm_programs(config: config_lib.Config, layout: sharding.Layout):
  """Like `library_programs`, for `plain_ntm` with the sizes of `config`'s NTM.

  Raises:
    ConfigError: the config's model is not an NTM the reference has (an LSTM
      controller of one layer, one read and one write head).
  """
  kwargs = config.model.kwargs
  if config.model.name != "ntm":
    raise config_lib.ConfigError("model.name: the plain NTM reference needs an ntm config")
  for field, wanted in [
    ("controller", "lstm"),
    ("controller_layers", 1),
    ("num_read_heads", 1),
    ("num_write_heads", 1),
    ("memory_init", "constant"),
  ]:
    if kwargs.get(field, wanted) != wanted:
      raise config_lib.ConfigError(
        f"model.{field}: the plain NTM reference has only {wanted!r}, got {kwargs[field]!r}"
      )
  task = config_lib.build_task(config)
  sizes = plain_ntm.Sizes(
    inputs=task.input_size,
    outputs=task.output_size,
    hidden=kwargs.get("controller_size", 100),
    slots=kwargs.get("memory_size", 128),
    word=kwargs.get("word_size", 20),
    shifts=kwargs.get("shift_width", 3),
  )
  params = plain_ntm.init(jax.random.key(config.train.seed), sizes)
  return _reference_programs(config, layout, lambda p, x: plain_ntm.apply(p, sizes, x), params)


REFERENCES = {FLAX_REFERENCE: flax_reference_programs, PLAIN_NTM_REFERENCE: plain_ntm_programs}
