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

Two settings of the C allocator (glibc on Linux) stop the page faults of
large per-step buffers. XLA's CPU runtime allocates a program's scratch
buffer afresh at every call; glibc serves blocks above 32 MiB with `mmap` and
unmaps them when freed, so every such step faults in each 4 KiB page again:
12,800 faults per step for the standard NTM training step at batch 64 with
two devices, 50,000 at batch 256 (`resource.getrusage` around the step).
- `use_huge_pages`: a binary started as `python -m experiments.<name>` starts
  itself once more with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (glibc >= 2.35,
  transparent huge pages in `madvise` mode), so glibc asks for 2 MiB pages.
  Faults per step 12,800 → 590 at batch 64, 50,000 → 800 at batch 256.
  Median step (`MEMNETS_HUGE_PAGES=V MEMNETS_KEEP_FREED_MEMORY=V python -m
  experiments.benchmark --model=ntm --batch_size=B`, V = 0 then 1, two runs
  each): batch 256 420 and 418 → 369 and 370 ms; batch 64 125 and 107 → 99
  and 143 ms (the machine's noise larger than the effect there).
- `keep_freed_memory` (on import, when the tunable is not set): mmap off and
  no trimming, so freed blocks stay on the heap, for library users and where
  huge pages are not available. Batch 64: no faults left; batch 256 keeps
  its 50,000 (blocks allocated from worker threads come from per-thread
  arenas, whose heaps glibc caps at 64 MiB).
Batches 16 and 32 had no such faults (glibc reuses blocks below 32 MiB by
itself). MEMNETS_HUGE_PAGES=0 and
MEMNETS_KEEP_FREED_MEMORY=0 turn them off; library users get the same from
`GLIBC_TUNABLES=glibc.malloc.hugetlb=1` in their environment or from
`experiments.keep_freed_memory()`.

Compiled programs are kept on disk between runs (`use_compilation_cache`, on
import): JAX's persistent compilation cache in $XDG_CACHE_HOME/memnets/jax
(~/.cache/memnets/jax by default), so a binary that runs the same program
again (same model, shapes, flags and versions) loads it instead of compiling
it. Programs that compile in under a second are not stored (JAX's default).
`MEMNETS_COMPILATION_CACHE=0` turns it off, `MEMNETS_COMPILATION_CACHE=DIR`
moves it, and a JAX_COMPILATION_CACHE_DIR already in the environment wins.
Standard NTM training step at batch 16 (`python -m experiments.benchmark
--model=ntm --batch_size=16 --compilation_cache=DIR`, twice, DIR empty at
first): first call 11.8 s cold, 2.7 s from the cache (about 2 s of it
tracing and lowering, which the cache does not skip; 2.4 s since the step is
traced once). The benchmark and `solve_copy` turn the cache off unless given
--compilation_cache, so they time cold compiles. Delete the directory to free
its space; JAX does not bound its size.
"""

import ctypes
import os
import sys
from importlib import metadata

YNN_FLAG = "--xla_cpu_experimental_ynn_fusion_type=-reduce,-eltwise,-dot"
DEVICE_COUNT_FLAG = "--xla_force_host_platform_device_count"
KEEP_FREED_MEMORY_ENV = "MEMNETS_KEEP_FREED_MEMORY"
HUGE_PAGES_ENV = "MEMNETS_HUGE_PAGES"
COMPILATION_CACHE_ENV = "MEMNETS_COMPILATION_CACHE"
JAX_CACHE_DIR_ENV = "JAX_COMPILATION_CACHE_DIR"
HUGE_PAGES_TUNABLE = "glibc.malloc.hugetlb=1"
MIN_GLIBC_HUGE_PAGES = (2, 35)  # the first glibc with the hugetlb tunable
THP_MODE_FILE = "/sys/kernel/mm/transparent_hugepage/enabled"
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


def _libc():
  """glibc through ctypes, or None (not Linux, or another C library)."""
  if not sys.platform.startswith("linux"):
    return None
  try:
    libc = ctypes.CDLL("libc.so.6")
  except OSError:
    return None
  return libc if hasattr(libc, "gnu_get_libc_version") and hasattr(libc, "mallopt") else None


def _glibc_version() -> tuple[int, ...] | None:
  libc = _libc()
  if libc is None:
    return None
  libc.gnu_get_libc_version.restype = ctypes.c_char_p
  try:
    return tuple(int(part) for part in libc.gnu_get_libc_version().decode().split(".")[:2])
  except ValueError:
    return None


def _thp_mode() -> str | None:
  """The kernel's transparent huge page mode ("always", "madvise", "never") or None."""
  try:
    with open(THP_MODE_FILE) as f:
      text = f.read()
  except OSError:
    return None
  start, end = text.find("["), text.find("]")
  return text[start + 1 : end] if 0 <= start < end else None


def _binary_argv() -> list[str] | None:
  """The command line when this process is `python [options] -m experiments.<name> ...`."""
  argv = list(getattr(sys, "orig_argv", []))
  i = 1
  while i < len(argv) - 1:
    arg = argv[i]
    if arg == "-m":
      return argv if argv[i + 1].startswith("experiments.") else None
    if arg in ("-c", "-") or not arg.startswith("-"):
      return None  # a command, stdin or a script: not a binary
    i += 2 if arg in ("-W", "-X") else 1
  return None


def huge_pages_restart() -> list[str] | None:
  """The command to start this binary again with glibc's huge-page tunable, or None.

  None unless the process is an experiment binary (`python -m experiments.*`)
  on glibc >= 2.35 with transparent huge pages in `madvise` mode (in `always`
  mode the kernel already uses them), GLIBC_TUNABLES is unset and
  MEMNETS_HUGE_PAGES is not 0.
  """
  if os.environ.get(HUGE_PAGES_ENV, "1") == "0" or "GLIBC_TUNABLES" in os.environ:
    return None
  argv = _binary_argv()
  if argv is None or _thp_mode() != "madvise":
    return None
  version = _glibc_version()
  if version is None or version < MIN_GLIBC_HUGE_PAGES:
    return None
  return [sys.executable, *argv[1:]]


def use_huge_pages() -> None:
  """Replaces this process by `huge_pages_restart()` with the tunable set, if any."""
  command = huge_pages_restart()
  if command is not None:
    os.environ["GLIBC_TUNABLES"] = HUGE_PAGES_TUNABLE
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)


def keep_freed_memory(trim_threshold: int = 1 << 30) -> bool:
  """Makes glibc serve large blocks from the heap and keep up to `trim_threshold`
  bytes of freed memory, so buffers allocated anew at every step do not fault
  in their pages again.

  Does nothing (and returns False) off Linux/glibc, when
  MEMNETS_KEEP_FREED_MEMORY=0, or when the environment already sets glibc's
  malloc options (MALLOC_MMAP_MAX_, MALLOC_TRIM_THRESHOLD_ or GLIBC_TUNABLES).
  Returns True when both settings took effect.
  """
  if os.environ.get(KEEP_FREED_MEMORY_ENV, "1") == "0":
    return False
  if any(name in os.environ for name in ("MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_")):
    return False
  if "glibc.malloc" in os.environ.get("GLIBC_TUNABLES", ""):
    return False
  libc = _libc()
  if libc is None:
    return False
  # mmap off: large blocks come from the heap; the trim threshold keeps them.
  return bool(libc.mallopt(_M_MMAP_MAX, 0)) and bool(
    libc.mallopt(_M_TRIM_THRESHOLD, trim_threshold)
  )


def compilation_cache_dir() -> str | None:
  """Where binaries keep compiled programs, or None to leave JAX's setting alone.

  MEMNETS_COMPILATION_CACHE=0: None (no cache); =DIR: DIR. Unset:
  $XDG_CACHE_HOME/memnets/jax, ~/.cache/memnets/jax without XDG_CACHE_HOME.
  None as well when JAX_COMPILATION_CACHE_DIR is set: the user chose already.
  """
  if JAX_CACHE_DIR_ENV in os.environ:
    return None
  chosen = os.environ.get(COMPILATION_CACHE_ENV)
  if chosen == "0":
    return None
  if chosen:
    return chosen
  root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
  return os.path.join(root, "memnets", "jax")


def use_compilation_cache() -> None:
  """Points JAX's persistent compilation cache at `compilation_cache_dir()`.

  Through the environment, so it holds for a JAX imported after this and for
  the processes a binary starts; a JAX already imported keeps its setting.
  """
  directory = compilation_cache_dir()
  if directory is not None:
    os.environ[JAX_CACHE_DIR_ENV] = directory


use_huge_pages()
add_cpu_flags()
keep_freed_memory()
use_compilation_cache()
