"""Timing of the real training step and of a forward-only pass, for the benchmark binary.

What is timed is the library itself: `measure(config)` builds the task, the
model, the optimiser and the train state exactly as a training run does
(`memnets.training`), and times `Steps.train(state, 1)`, one optimiser step per
compiled call, as the training loop calls it. Speed work on the cells, `unroll`
or the training step therefore shows up here unchanged. The forward-only pass
is `training.step.forward` (the same `unroll`), jitted, on a batch of the same
shapes. Both are laid out as the training loop lays them out
(`sharding.layout`): the batch is split over every device that divides it,
which on the CPU, with `experiments`' flags, means one part per core. For the
NTM paper's LSTM baseline (Graves, Wayne & Danihelka 2014, §4: 3 layers × 256
units) `measure(..., reference=FLAX_REFERENCE)` times Flax's own `nnx.RNN`
over `nnx.OptimizedLSTMCell` layers instead, as a reference for the overhead
of our cell interface and `unroll`; for the NTM,
`reference=PLAIN_NTM_REFERENCE` times `memnets.reference_ntm`, a
straightforward JAX NTM (one scan of plain `jnp`, automatic gradients), as a
reference for what memnets' NTM work buys. Each reference runs in its own
small jitted train step with the same task, loss, optimiser and batch split.

Timing method: the first call (compilation included) is reported on its own;
`WARMUP_CALLS` more calls are discarded; then each call is timed with
`time.perf_counter` around the call and `jax.block_until_ready` on its outputs.
The timed loop stops after `num_steps` calls, or earlier once `budget_s`
seconds have passed, but never before `min_steps` calls. Summaries are medians
(the machines are shared and noisy), with min and max beside them.

Peak memory: on accelerators the device's `memory_stats()['peak_bytes_in_use']`
(a process-wide high-water mark); on the CPU the process's resident-set
high-water mark (`resource.getrusage`), plus its increase during the case (0
when an earlier case already peaked higher).
"""

import dataclasses
import resource
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import optax
from flax import nnx

from memnets import reference_ntm
from memnets.tasks import metrics as task_metrics
from memnets.training import config as config_lib
from memnets.training import optimizers, sharding
from memnets.training import state as state_lib
from memnets.training import step as step_lib

DEFAULT_TIMED_STEPS = 20  # timed calls per measurement
MIN_TIMED_STEPS = 5  # never fewer, whatever the budget
DEFAULT_BUDGET_S = 30.0  # seconds of timed calls per measurement (compilation excluded)
WARMUP_CALLS = 1  # untimed calls after the first (compiling) one
MS_PER_S = 1000.0
# ru_maxrss is in KiB on Linux and in bytes on macOS.
RSS_UNIT_BYTES = 1 if sys.platform == "darwin" else 1024
FLAX_REFERENCE = "flax_lstm"  # model label of the Flax nnx.RNN reference
PLAIN_NTM_REFERENCE = "plain_ntm"  # model label of `reference_ntm`, a straightforward JAX NTM
DEVICE_PEAK = "device_peak_bytes_in_use"
RSS_PEAK = "process_rss_high_water"
FORWARD_SEED = 7  # key of the forward pass's input batch


@dataclasses.dataclass(frozen=True)
class Timing:
  """Wall-clock times of one compiled call, repeated.

  first_call_s: the first call, compilation included.
  times_s: each timed call after the warm-up, in seconds.
  requested: how many timed calls were asked for (more than len(times_s) when
    the time budget cut the loop short).
  """

  first_call_s: float
  times_s: tuple[float, ...]
  requested: int

  @property
  def median_ms(self) -> float:
    return statistics.median(self.times_s) * MS_PER_S

  @property
  def min_ms(self) -> float:
    return min(self.times_s) * MS_PER_S

  @property
  def max_ms(self) -> float:
    return max(self.times_s) * MS_PER_S

  @property
  def budget_limited(self) -> bool:
    return len(self.times_s) < self.requested


def _timed(call: Callable[[Any], Any], carry: Any) -> tuple[float, Any]:
  start = time.perf_counter()
  carry = jax.block_until_ready(call(carry))
  return time.perf_counter() - start, carry


def time_calls(
  call: Callable[[Any], Any],
  carry: Any,
  *,
  num_steps: int = DEFAULT_TIMED_STEPS,
  min_steps: int = MIN_TIMED_STEPS,
  budget_s: float = DEFAULT_BUDGET_S,
  clock: Callable[[], float] = time.perf_counter,
) -> tuple[Timing, Any]:
  """Times `carry = call(carry)`, each call synchronised with `jax.block_until_ready`.

  Args:
    call: `carry -> carry`; a train step feeds its new state back (donated
      buffers stay valid), a forward pass may ignore its argument.
    carry: the first call's argument.
    num_steps: timed calls wanted.
    min_steps: timed calls made even when the budget is spent (<= num_steps).
    budget_s: once this many seconds of timed calls have passed (and at least
      `min_steps` were made), stop.
    clock: the clock of the budget (tests inject a fake one).

  Returns:
    `(Timing, last carry)`.
  """
  if not 1 <= min_steps <= num_steps:
    raise ValueError(f"need 1 <= min_steps <= num_steps, got {min_steps} and {num_steps}")
  first_call_s, carry = _timed(call, carry)
  for _ in range(WARMUP_CALLS):
    _, carry = _timed(call, carry)
  times = []
  start = clock()
  while len(times) < num_steps:
    if len(times) >= min_steps and clock() - start >= budget_s:
      break
    seconds, carry = _timed(call, carry)
    times.append(seconds)
  return Timing(first_call_s, tuple(times), num_steps), carry


def rss_high_water_bytes() -> int:
  """The process's resident-set high-water mark so far, in bytes."""
  return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * RSS_UNIT_BYTES


def device_peak_bytes(device: jax.Device) -> int | None:
  """`peak_bytes_in_use` of `device`, or None where the backend keeps no statistics (CPU)."""
  stats = device.memory_stats()
  if not stats or "peak_bytes_in_use" not in stats:
    return None
  return int(stats["peak_bytes_in_use"])


def _count_params(params) -> int:
  return int(sum(leaf.size for leaf in jax.tree.leaves(params)))


def _forward_inputs(config: config_lib.Config, task, layout: sharding.Layout) -> jax.Array:
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
  train_state = jax.jit(
    lambda: state_lib.init_stacked(config, task, optimizer), out_shardings=layout.state
  )()
  params = state_lib.unstack(train_state, 0).params  # a copy, safe from donation
  inputs = _forward_inputs(config, task, layout)
  one_step = jnp.ones((), jnp.int32)
  forward = jax.jit(lambda p, x: step_lib.forward(graphdef, p, x))
  return (
    lambda carry: steps.train(carry[0], one_step),
    (train_state, None),
    lambda _: forward(params, inputs),
    None,
    _count_params(params),
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
    updates, opt_state = optimizer.update(grads, opt_state, p)
    return (optax.apply_updates(p, updates), opt_state, step + 1), loss

  train = jax.jit(train_step, donate_argnums=0)
  forward = jax.jit(apply)
  inputs = _forward_inputs(config, task, layout)
  params = jax.device_put(params, layout.replicated)
  forward_params = jax.tree.map(jnp.copy, params)
  carry = ((params, optimizer.init(params), jnp.zeros((), jnp.int32)), None)
  return (
    lambda c: train(c[0]),
    carry,
    lambda _: forward(forward_params, inputs),
    None,
    _count_params(params),
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
  """Like `library_programs`, for `reference_ntm` with the sizes of `config`'s NTM.

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
  sizes = reference_ntm.Sizes(
    inputs=task.input_size,
    outputs=task.output_size,
    hidden=kwargs.get("controller_size", 100),
    slots=kwargs.get("memory_size", 128),
    word=kwargs.get("word_size", 20),
    shifts=kwargs.get("shift_width", 3),
  )
  params = reference_ntm.init(jax.random.key(config.train.seed), sizes)
  return _reference_programs(config, layout, lambda p, x: reference_ntm.apply(p, sizes, x), params)


REFERENCES = {FLAX_REFERENCE: flax_reference_programs, PLAIN_NTM_REFERENCE: plain_ntm_programs}


def _memory_label(config: config_lib.Config) -> str | None:
  kwargs = config.model.kwargs
  if config.model.name != "ntm":
    return None
  return f"{kwargs.get('memory_size', 128)}x{kwargs.get('word_size', 20)}"


def measure(
  config: config_lib.Config,
  *,
  reference: str | None = None,
  num_steps: int = DEFAULT_TIMED_STEPS,
  min_steps: int = MIN_TIMED_STEPS,
  budget_s: float = DEFAULT_BUDGET_S,
) -> dict[str, Any]:
  """Times the train step and the forward pass of one benchmark case.

  Args:
    config: a training config of one seed and a fixed length
      (`task.min_length == task.max_length`); validated here.
    reference: time a reference model with its own small train step instead
      of the library's model and train step: `FLAX_REFERENCE` (Flax's
      `nnx.RNN` stack, sizes from the config's LSTM model section) or
      `PLAIN_NTM_REFERENCE` (`reference_ntm`, sizes from the config's NTM).
    num_steps, min_steps, budget_s: see `time_calls`; the train step and the
      forward pass each get the whole budget.

  Returns:
    One JSON-able row: the case (model, task, batch_size, length, time_steps,
    memory "NxM" or None, remat, params), where it ran (backend, device, and
    devices: how many the batch was split over),
    compile_s, step_ms_median/min/max, timed_steps, requested_steps,
    budget_limited, train_sequences_per_s (batch / median step),
    forward_compile_s, forward_ms_median/min/max, forward_timed_steps,
    forward_sequences_per_s, peak_memory_bytes, peak_memory_source and
    rss_increase_bytes.
  """
  config_lib.validate(config)
  if config.train.num_seeds != 1:
    raise config_lib.ConfigError("train.num_seeds: the benchmark times one seed")
  if config.task.min_length != config.task.max_length:
    raise config_lib.ConfigError("task.min_length: the benchmark needs one fixed length")
  rss_before = rss_high_water_bytes()
  if reference is not None and reference not in REFERENCES:
    raise ValueError(f"unknown reference {reference!r}; known: {sorted(REFERENCES)}")
  build = REFERENCES[reference] if reference else library_programs
  layout = sharding.training_layout(config.train)
  train, train_carry, forward, forward_carry, num_params = build(config, layout)
  kwargs = dict(num_steps=num_steps, min_steps=min_steps, budget_s=budget_s)
  train_timing, _ = time_calls(train, train_carry, **kwargs)
  forward_timing, _ = time_calls(forward, forward_carry, **kwargs)
  device = jax.devices()[0]
  peak = device_peak_bytes(device)
  rss_after = rss_high_water_bytes()
  batch_size = config.train.batch_size
  task = config_lib.build_task(config)
  return {
    "model": reference or config.model.name,
    "task": config.task.name,
    "batch_size": batch_size,
    "length": config.task.max_length,
    "time_steps": task.num_steps(config.task.max_length),
    "memory": _memory_label(config),
    "remat": config.train.remat and not reference,
    "params": num_params,
    "backend": jax.default_backend(),
    "device": device.device_kind,
    "devices": int(layout.mesh.devices.size),
    "compile_s": train_timing.first_call_s,
    "step_ms_median": train_timing.median_ms,
    "step_ms_min": train_timing.min_ms,
    "step_ms_max": train_timing.max_ms,
    "timed_steps": len(train_timing.times_s),
    "requested_steps": num_steps,
    "budget_limited": train_timing.budget_limited or forward_timing.budget_limited,
    "train_sequences_per_s": batch_size / (train_timing.median_ms / MS_PER_S),
    "forward_compile_s": forward_timing.first_call_s,
    "forward_ms_median": forward_timing.median_ms,
    "forward_ms_min": forward_timing.min_ms,
    "forward_ms_max": forward_timing.max_ms,
    "forward_timed_steps": len(forward_timing.times_s),
    "forward_sequences_per_s": batch_size / (forward_timing.median_ms / MS_PER_S),
    "peak_memory_bytes": rss_after if peak is None else peak,
    "peak_memory_source": RSS_PEAK if peak is None else DEVICE_PEAK,
    "rss_increase_bytes": rss_after - rss_before,
  }


# The summary table: (header, row key, format).
TABLE_COLUMNS = (
  ("model", "model", "{}"),
  ("B", "batch_size", "{}"),
  ("len", "length", "{}"),
  ("memory", "memory", "{}"),
  ("remat", "remat", "{}"),
  ("dev", "devices", "{}"),
  ("compile s", "compile_s", "{:.1f}"),
  ("step ms (med)", "step_ms_median", "{:.2f}"),
  ("min", "step_ms_min", "{:.2f}"),
  ("max", "step_ms_max", "{:.2f}"),
  ("n", "timed_steps", "{}"),
  ("train seq/s", "train_sequences_per_s", "{:.1f}"),
  ("fwd seq/s", "forward_sequences_per_s", "{:.1f}"),
  ("peak MiB", "peak_memory_bytes", "{:.0f}"),
)
BYTES_PER_MIB = 2**20


def _cell(row: Mapping[str, Any], key: str, fmt: str) -> str:
  value = row.get(key)
  if value is None:
    return "-"
  if key == "peak_memory_bytes":
    value = value / BYTES_PER_MIB
  return fmt.format(value)


def format_table(rows: Sequence[Mapping[str, Any]]) -> str:
  """A plain-text table of `measure` rows, columns aligned (text left, numbers right)."""
  header = [title for title, _, _ in TABLE_COLUMNS]
  body = [[_cell(row, key, fmt) for _, key, fmt in TABLE_COLUMNS] for row in rows]
  widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
  numeric = [
    fmt != "{}" or key in ("batch_size", "length", "timed_steps") for _, key, fmt in TABLE_COLUMNS
  ]

  def line(cells):
    return "  ".join(
      c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric, strict=True)
    ).rstrip()

  rule = "  ".join("-" * w for w in widths)
  return "\n".join([line(header), rule, *(line(cells) for cells in body)])
