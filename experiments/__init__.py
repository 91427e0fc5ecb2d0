"""memnets' experiment binaries: train, evaluate, visualize, benchmark, demo.

Importing this package (which every `python -m experiments.<binary>` does
before JAX starts its backends) adds XLA CPU flags that were measured faster
for memnets' models, each unless XLA_FLAGS already sets it:

- `--xla_cpu_experimental_ynn_fusion_type=-reduce,-eltwise,-dot`: keeps XLA's
  own CPU emitters for reductions, elementwise fusions and dots instead of
  YNNPACK fusions, which were slow on the NTM's small [B, N, M] memory ops.
  Standard NTM training step (batch 16, copy length 20, 2-core CPU, library
  train step through `experiments/benchmark.py`'s case): median 109 and 122 ms
  without, 70 and 70 ms with (two interleaved runs each); the 3 × 256 LSTM
  baseline: 167 and 254 ms without, 141 and 179 ms with.
- `--xla_force_host_platform_device_count=<cores>`: one CPU device per core
  this process may run on. XLA runs a program on one core, so a training step
  used one core of two; with a device per core the training loop and the
  benchmark split each batch over the cores (`memnets.training.sharding`).
  Standard NTM training step, 2-core CPU, one device vs two (one process each,
  run back to back): batch 16 47 vs 38 ms, 32 79 vs 61, 64 169 vs 136,
  256 770 vs 422 ms.

The flags only touch XLA's CPU backend; GPU and TPU programs are unaffected.
Library users who want the same speed-up set XLA_FLAGS themselves.
"""

import os
from importlib import metadata

YNN_FLAG = "--xla_cpu_experimental_ynn_fusion_type=-reduce,-eltwise,-dot"
DEVICE_COUNT_FLAG = "--xla_force_host_platform_device_count"
# The YNN flag is known to the XLA of jaxlib 0.10 (the pinned version); an XLA
# that does not know a flag in XLA_FLAGS aborts, so older jaxlibs do not get it.
MIN_JAXLIB = (0, 10)


def _jaxlib_version() -> tuple[int, ...] | None:
  try:
    return tuple(int(part) for part in metadata.version("jaxlib").split(".")[:2])
  except (metadata.PackageNotFoundError, ValueError):
    return None


def _cores() -> int:
  """The cores this process may run on."""
  if hasattr(os, "sched_getaffinity"):
    return len(os.sched_getaffinity(0))
  return os.cpu_count() or 1


def cpu_flags() -> list[str]:
  """The flags for this machine; `add_cpu_flags` adds those XLA_FLAGS does not set."""
  flags = []
  version = _jaxlib_version()
  if version is not None and version >= MIN_JAXLIB:
    flags.append(YNN_FLAG)
  cores = _cores()
  if cores > 1:
    flags.append(f"{DEVICE_COUNT_FLAG}={cores}")
  return flags


def add_cpu_flags() -> None:
  """Appends `cpu_flags()` to XLA_FLAGS, each once and never overriding the user's."""
  current = os.environ.get("XLA_FLAGS", "")
  new = [flag for flag in cpu_flags() if flag.split("=")[0] not in current]
  if new:
    os.environ["XLA_FLAGS"] = " ".join([current, *new]).strip()


add_cpu_flags()
