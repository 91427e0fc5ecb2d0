"""Data parallelism over all devices with `jax.sharding`, multi-host ready.

One mesh axis, `data`, spans every device of every process. The stacked train
state `[K, ...]` and the on-device batches `[K, B, ...]` are laid out on it:
- when the number of seeds K is a multiple of the device count, each device
  trains its own seeds (state and batch sharded on the seed axis, no
  communication);
- otherwise the state is replicated and each batch is split over devices on
  its batch axis; the training step (`step.Steps`) gives each device its own
  copy of the parameters, so the gradients are summed over devices once per
  step (XLA, GSPMD, inserts that all-reduce).
Either way the program is the same as on one device, so the loss curves agree
up to the order of floating-point sums. Given the batch sizes, a single-process
layout uses the most devices that split the seeds or every batch evenly (so a
batch of 1 runs on one device); otherwise it spans every device.

On the CPU, XLA runs one program on one core; `experiments.platform.setup()`
makes each core a device (`--xla_force_host_platform_device_count`), so this
data parallelism is also what spreads a training step over a machine's cores.

Multi-host: `jax.distributed.initialize()` is called only when the config asks
(`train.distributed`) or the environment variable `MEMNETS_DISTRIBUTED=1` is
set; it must run before any other JAX call touches the devices.
"""

import os
from collections.abc import Sequence
from typing import NamedTuple

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

DATA_AXIS = "data"
DISTRIBUTED_ENV = "MEMNETS_DISTRIBUTED"


_initialized = []  # non-empty once jax.distributed.initialize() has been called here


def maybe_initialize_distributed(requested: bool) -> bool:
  """Calls `jax.distributed.initialize()` once, when requested by config or env; returns whether."""
  if not (requested or os.environ.get(DISTRIBUTED_ENV) == "1"):
    return False
  if not _initialized:
    jax.distributed.initialize()
    _initialized.append(True)
  return True


class Layout(NamedTuple):
  """Where the train state and the batches live."""

  mesh: Mesh
  state: NamedSharding  # for every leaf of the stacked train state [K, ...]
  batch: NamedSharding  # for every leaf of a stacked batch [K, B, ...]
  replicated: NamedSharding  # metrics and other small outputs
  seed_parallel: bool  # True: seeds split over devices; False: batch split


def usable_device_count(num_seeds: int, batch_sizes: Sequence[int], num_devices: int) -> int:
  """The most devices, at most `num_devices`, that split the seeds or every batch evenly."""
  for count in range(num_devices, 1, -1):
    if num_seeds % count == 0 or all(size % count == 0 for size in batch_sizes):
      return count
  return 1


def layout(num_seeds: int, batch_sizes: Sequence[int] | None = None, devices=None) -> Layout:
  """The layout for `num_seeds` seeds over `devices` (default: all devices).

  With `batch_sizes` (every batch the programs shard, e.g. training and
  evaluation) and one process, only the first `usable_device_count` devices
  are used; across processes every device is, and `config.validate` checks
  the sizes.
  """
  devices = jax.devices() if devices is None else list(devices)
  if batch_sizes is not None and jax.process_count() == 1:
    devices = devices[: usable_device_count(num_seeds, batch_sizes, len(devices))]
  mesh = Mesh(np.asarray(devices), (DATA_AXIS,))
  seed_parallel = len(devices) > 1 and num_seeds % len(devices) == 0
  if seed_parallel:
    state_spec = batch_spec = PartitionSpec(DATA_AXIS)
  else:
    state_spec, batch_spec = PartitionSpec(), PartitionSpec(None, DATA_AXIS)
  return Layout(
    mesh=mesh,
    state=NamedSharding(mesh, state_spec),
    batch=NamedSharding(mesh, batch_spec),
    replicated=NamedSharding(mesh, PartitionSpec()),
    seed_parallel=seed_parallel,
  )


def training_layout(train, *extra_batch_sizes: int) -> Layout:
  """The layout of a run with `train` (a config's train section), as the training loop uses it."""
  sizes = (train.batch_size, train.eval_batch_size, *extra_batch_sizes)
  return layout(train.num_seeds, sizes)


def batch_only(layout_: Layout) -> NamedSharding:
  """Sharding of an unstacked batch [B, ...]: `layout_.batch` without the seed axis."""
  return NamedSharding(layout_.mesh, PartitionSpec(*layout_.batch.spec[1:]))


def per_device_split(
  batch_sharding: jax.sharding.Sharding | None,
) -> tuple[int, NamedSharding | None]:
  """How many devices split each batch, given the sharding of stacked batches [K, B, ...].

  Returns `(D, sharding)`: D devices on the batch axis B, and the sharding that
  puts a leading axis [D, ...] on them; `(1, None)` when the batch is not
  split (one device, seeds split over devices instead, or no sharding).
  """
  if not isinstance(batch_sharding, NamedSharding):
    return 1, None
  spec = batch_sharding.spec
  axes = spec[1] if len(spec) > 1 else None
  if axes is None:
    return 1, None
  axes = (axes,) if isinstance(axes, str) else tuple(axes)
  count = 1
  for axis in axes:
    count *= batch_sharding.mesh.shape[axis]
  if count == 1:
    return 1, None
  return count, NamedSharding(batch_sharding.mesh, PartitionSpec(axes))
