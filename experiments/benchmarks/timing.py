"""Timing of the real training step and of a forward-only pass, for the benchmark binary.

What is timed (`experiments.benchmarks.programs`) is the library itself: the
training step exactly as a training run builds it and a forward pass, or one
of the reference models beside it. `measure` times one case and returns its
JSON row; `format_table` lays rows out as the summary table.

Timing method: the first call (compilation included) is reported on its own;
`WARMUP_CALLS` more calls are discarded; then each call is timed with
`time.perf_counter` around the call and `jax.block_until_ready` on its outputs.
The timed loop stops after `num_steps` calls, or earlier once `budget_s`
seconds have passed, but never before `min_steps` calls. Summaries are medians
(the machines are shared and noisy), with min and max beside them.

Profiling: `measure(..., profile_dir=DIR)` runs the train step's calls
(compilation included) inside `jax.profiler.trace` and records the Perfetto
trace it wrote; `trace_summary` adds up a trace's events by name, which shows
where compilation time goes (XLA's passes, kernel emission, LLVM code
generation) and which kernels a step spends its time in. Step times of a traced
case include the profiler's overhead.

Peak memory: on accelerators the device's `memory_stats()['peak_bytes_in_use']`
(a process-wide high-water mark); on the CPU the process's resident-set
high-water mark (`resource.getrusage`), plus its increase during the case (0
when an earlier case already peaked higher).
"""

import collections
import dataclasses
import gzip
import json
import os
import pathlib
import resource
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jax

from experiments.benchmarks import programs
from memnets.training import config as config_lib
from memnets.training import sharding

DEFAULT_TIMED_STEPS = 20  # timed calls per measurement
MIN_TIMED_STEPS = 5  # never fewer, whatever the budget
DEFAULT_BUDGET_S = 30.0  # seconds of timed calls per measurement (compilation excluded)
WARMUP_CALLS = 1  # untimed calls after the first (compiling) one
MS_PER_S = 1000.0
# ru_maxrss is in KiB on Linux and in bytes on macOS.
RSS_UNIT_BYTES = 1 if sys.platform == "darwin" else 1024
# What jax.profiler.trace(create_perfetto_trace=True) writes.
PERFETTO_TRACE = "perfetto_trace.json.gz"
TOP_TRACE_EVENTS = 25  # events listed by trace_summary
DEVICE_PEAK = "device_peak_bytes_in_use"
RSS_PEAK = "process_rss_high_water"


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


def _perfetto_traces(directory: pathlib.Path) -> set[pathlib.Path]:
  return set(directory.rglob(PERFETTO_TRACE))


def _traced_time_calls(profile_dir, call, carry, **kwargs) -> tuple[Timing, pathlib.Path]:
  """`time_calls` inside `jax.profiler.trace(profile_dir)`; returns the new trace's path too."""
  directory = pathlib.Path(profile_dir)
  before = _perfetto_traces(directory)
  options = jax.profiler.ProfileOptions()
  options.python_tracer_level = 0  # XLA's and JAX's own events only, not every Python call
  with jax.profiler.trace(str(directory), create_perfetto_trace=True, profiler_options=options):
    timing, _ = time_calls(call, carry, **kwargs)
  written = _perfetto_traces(directory) - before
  if len(written) != 1:
    raise RuntimeError(f"{directory}: expected one new {PERFETTO_TRACE}, found {len(written)}")
  return timing, written.pop()


def trace_summary(
  trace: str | os.PathLike, top: int = TOP_TRACE_EVENTS
) -> list[tuple[str, float, int]]:
  """The `top` event names of a Perfetto trace with the most total time.

  Adds up the durations of the trace's complete events ("ph": "X") by name.
  Times are inclusive (an event's total contains the events nested in it) and
  add up over threads, so the totals can exceed the wall time.

  Args:
    trace: a `perfetto_trace.json.gz` written by `jax.profiler.trace`.
    top: how many names to return.

  Returns:
    `[(name, total_ms, count)]`, the largest total first.

  Raises:
    ValueError: the file is not a gzipped JSON trace with a `traceEvents` list
      (the message names the file).
  """
  try:
    with gzip.open(trace, "rt") as stream:
      events = json.load(stream)["traceEvents"]
  except (OSError, json.JSONDecodeError, KeyError, TypeError) as error:
    raise ValueError(f"{trace}: not a gzipped JSON trace with traceEvents ({error})") from error
  if not isinstance(events, list):
    raise ValueError(f"{trace}: traceEvents is not a list")
  total_us, count = collections.Counter(), collections.Counter()
  for event in events:
    if isinstance(event, dict) and event.get("ph") == "X":
      total_us[event.get("name", "")] += float(event.get("dur", 0.0))
      count[event.get("name", "")] += 1
  return [(name, us / 1e3, count[name]) for name, us in total_us.most_common(top)]


def format_trace_summary(events: Sequence[tuple[str, float, int]]) -> str:
  """`trace_summary`'s events as a text table: total ms, count, name."""
  lines = [f"{'total ms':>11}  {'count':>7}  event"]
  lines += [f"{total_ms:11.1f}  {n:7d}  {name}" for name, total_ms, n in events]
  return "\n".join(lines)


def runner_row(
  *, model: str, task: str, batch_size: int, length, time_steps, memory, params: int,
  train: Timing, forward: Timing | None, rss_before: int, steps_per_call: int = 1,
) -> dict[str, Any]:  # fmt: skip
  """The row of a case timed outside `measure` (a runner's own compiled calls), `measure`'s keys.

  `train` timed calls of `steps_per_call` training steps each (the row's
  step times are per step); `forward` the forward-only calls, or None where
  the case has none (its forward keys are then left out). The caller adds its
  own throughput keys (tokens or words per second).
  """
  device = jax.devices()[0]
  peak = device_peak_bytes(device)
  step_ms = [t * MS_PER_S / steps_per_call for t in train.times_s]
  median_ms = train.median_ms / steps_per_call
  row = {
    "model": model, "task": task, "batch_size": batch_size, "length": length,
    "time_steps": time_steps, "memory": memory, "remat": False, "params": params,
    "backend": jax.default_backend(), "device": device.device_kind, "devices": 1,
    "compile_s": train.first_call_s, "step_ms_median": median_ms,
    "step_ms_min": min(step_ms), "step_ms_max": max(step_ms),
    "timed_steps": len(train.times_s) * steps_per_call,
    "requested_steps": train.requested * steps_per_call,
    "budget_limited": train.budget_limited or bool(forward and forward.budget_limited),
    "train_sequences_per_s": batch_size / (median_ms / MS_PER_S),
  }  # fmt: skip
  if forward is not None:
    row.update({
      "forward_compile_s": forward.first_call_s, "forward_ms_median": forward.median_ms,
      "forward_ms_min": forward.min_ms, "forward_ms_max": forward.max_ms,
      "forward_timed_steps": len(forward.times_s),
      "forward_sequences_per_s": batch_size / (forward.median_ms / MS_PER_S),
    })  # fmt: skip
  row.update({
    "peak_memory_bytes": rss_high_water_bytes() if peak is None else peak,
    "peak_memory_source": RSS_PEAK if peak is None else DEVICE_PEAK,
    "rss_increase_bytes": rss_high_water_bytes() - rss_before, "profile_trace": None,
  })  # fmt: skip
  return row


def _memory_label(config: config_lib.Config) -> str | None:
  kwargs = config.model.kwargs
  if "word_size" not in kwargs:  # no addressable memory (the stacks and tapes grow with T)
    return None
  label = f"{kwargs['memory_size']}x{kwargs['word_size']}"
  return label + (f" k{kwargs['sparse_link']}" if kwargs.get("sparse_link") else "")


def measure(
  config: config_lib.Config,
  *,
  reference: str | None = None,
  num_steps: int = DEFAULT_TIMED_STEPS,
  min_steps: int = MIN_TIMED_STEPS,
  budget_s: float = DEFAULT_BUDGET_S,
  profile_dir: str | os.PathLike | None = None,
) -> dict[str, Any]:
  """Times the train step and the forward pass of one benchmark case.

  Args:
    config: a training config of one seed and a fixed length
      (`task.min_length == task.max_length`); validated here.
    reference: time a reference model with its own small train step instead
      of the library's model and train step: `programs.FLAX_REFERENCE`
      (Flax's `nnx.RNN` stack, sizes from the config's LSTM model section) or
      `programs.PLAIN_NTM_REFERENCE` (`plain_ntm`, sizes from the
      config's NTM).
    num_steps, min_steps, budget_s: see `time_calls`; the train step and the
      forward pass each get the whole budget.
    profile_dir: if set, the train step's calls (the compiling first call,
      the warm-up and the timed calls) run inside `jax.profiler.trace` of
      this directory, and the row's `profile_trace` is the Perfetto trace
      written (its step times then include the profiler's overhead).

  Returns:
    One JSON-able row: the case (model, task, batch_size, length, time_steps,
    memory "NxM" or None, remat, params), where it ran (backend, device, and
    devices: how many the batch was split over),
    compile_s, step_ms_median/min/max, timed_steps, requested_steps,
    budget_limited, train_sequences_per_s (batch / median step),
    forward_compile_s, forward_ms_median/min/max, forward_timed_steps,
    forward_sequences_per_s, peak_memory_bytes, peak_memory_source,
    rss_increase_bytes and profile_trace (a path, or None).
  """
  config_lib.validate(config)
  if config.train.num_seeds != 1:
    raise config_lib.ConfigError("train.num_seeds: the benchmark times one seed")
  if config.task.min_length != config.task.max_length:
    raise config_lib.ConfigError("task.min_length: the benchmark needs one fixed length")
  rss_before = rss_high_water_bytes()
  if reference is not None and reference not in programs.REFERENCES:
    raise ValueError(f"unknown reference {reference!r}; known: {sorted(programs.REFERENCES)}")
  build = programs.REFERENCES[reference] if reference else programs.library_programs
  layout = sharding.training_layout(config.train)
  train, train_carry, forward, forward_carry, num_params = build(config, layout)
  kwargs = dict(num_steps=num_steps, min_steps=min_steps, budget_s=budget_s)
  trace = None
  if profile_dir is None:
    train_timing, _ = time_calls(train, train_carry, **kwargs)
  else:
    train_timing, trace = _traced_time_calls(profile_dir, train, train_carry, **kwargs)
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
    "profile_trace": None if trace is None else str(trace),
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
