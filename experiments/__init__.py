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

It also makes the C allocator keep freed memory (`keep_freed_memory`, glibc
on Linux only). XLA's CPU runtime allocates a program's scratch buffer afresh
at every call; glibc serves blocks above 32 MiB with `mmap` and unmaps them
when freed, so each such step faults in every 4 KiB page again (12,800 faults
per step for the standard NTM training step at batch 64 with two devices).
Served from the heap and kept, they fault once. Measured (one process per
setting, alternating, two runs each, 20–30 steps): batch 64 median 111 and
124 ms → 100 and 96 ms with no faults left. Batches 16 and 32 had no faults
and no change (glibc reuses blocks below 32 MiB by itself); at batch 256 the
50,000 faults per step remain (blocks allocated from worker threads come from
per-thread arenas, whose heaps glibc caps at 64 MiB, so larger ones are mapped
anyway; with one shared arena, `M_ARENA_MAX=1`, they fell to 15,000, but its
lock made batch 64 slower, 145 vs 95 ms).
MEMNETS_KEEP_FREED_MEMORY=0 keeps glibc's defaults; library users get the
same effect from `experiments.keep_freed_memory()` or glibc's environment
variables (`MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=1073741824`).
"""

import ctypes
import os
import sys
from importlib import metadata

YNN_FLAG = "--xla_cpu_experimental_ynn_fusion_type=-reduce,-eltwise,-dot"
DEVICE_COUNT_FLAG = "--xla_force_host_platform_device_count"
KEEP_FREED_MEMORY_ENV = "MEMNETS_KEEP_FREED_MEMORY"
# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
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


def keep_freed_memory(trim_threshold: int = 1 << 30) -> bool:
  """Makes glibc serve large blocks from the heap and keep up to `trim_threshold`
  bytes of freed memory, so buffers allocated anew at every step do not fault
  in their pages again.

  Does nothing (and returns False) off Linux/glibc, when
  MEMNETS_KEEP_FREED_MEMORY=0, or when the environment already sets glibc's
  malloc options (MALLOC_MMAP_MAX_, MALLOC_TRIM_THRESHOLD_ or GLIBC_TUNABLES).
  Returns True when both settings took effect.
  """
  if os.environ.get(KEEP_FREED_MEMORY_ENV, "1") == "0" or not sys.platform.startswith("linux"):
    return False
  if any(name in os.environ for name in ("MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_")):
    return False
  if "glibc.malloc" in os.environ.get("GLIBC_TUNABLES", ""):
    return False
  try:
    libc = ctypes.CDLL("libc.so.6")
  except OSError:
    return False
  if not hasattr(libc, "gnu_get_libc_version") or not hasattr(libc, "mallopt"):
    return False
  # mmap off: large blocks come from the heap; the trim threshold keeps them.
  return bool(libc.mallopt(_M_MMAP_MAX, 0)) and bool(
    libc.mallopt(_M_TRIM_THRESHOLD, trim_threshold)
  )


add_cpu_flags()
keep_freed_memory()
