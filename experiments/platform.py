"""Process set-up for speed on the CPU: one explicit call, `setup()`, first in each binary's `main`.

  from experiments import platform
  platform.setup()  # before JAX runs anything

It does four things, each measured faster for memnets' models
(docs/performance.md has the figures), each one skipped where the user's
environment already decides it:
1. `use_huge_pages`: a binary started as `python -m experiments.<name>` on
   glibc >= 2.35 with transparent huge pages in `madvise` mode starts itself
   once more with GLIBC_TUNABLES=glibc.malloc.hugetlb=1, so the large buffers
   XLA's CPU runtime allocates at every step come in 2 MiB pages instead of
   faulting in 4 KiB pages anew (MEMNETS_HUGE_PAGES=0: off).
2. `add_cpu_flags`: XLA CPU flags in XLA_FLAGS: one CPU device per core (XLA
   runs a program on one core; the training loop splits the batch over the
   devices) and XLA's own emitters instead of YNNPACK fusions.
3. `keep_freed_memory`: glibc keeps freed large blocks on the heap (mmap off,
   no trimming) where huge pages are not used (MEMNETS_KEEP_FREED_MEMORY=0: off).
4. `use_compilation_cache`: JAX's persistent compilation cache in
   $XDG_CACHE_HOME/memnets/jax (MEMNETS_COMPILATION_CACHE=0: off, =DIR: there;
   a JAX_COMPILATION_CACHE_DIR in the environment wins).

Importing this module (or any `experiments` or `memnets` module) changes
nothing: only `setup()` and the functions it calls do. Library users opt in
from their own scripts by calling `setup()` before their first JAX
computation; the huge-page restart applies to the experiment binaries only (a
script gets huge pages from GLIBC_TUNABLES=glibc.malloc.hugetlb=1 in its
environment). The flags only touch XLA's CPU backend; GPU and TPU programs
are unaffected. `python -m experiments.platform` prints what `setup()` chose.
"""

import ctypes
import os
import sys
from importlib import metadata

import jax
from absl import app, logging
from jax._src import xla_bridge

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
  """Points JAX's persistent compilation cache at `compilation_cache_dir()` (if not None).

  Programs that compile in under a second are not stored (JAX's default).
  JAX does not bound the directory's size; delete it to free its space.
  """
  directory = compilation_cache_dir()
  if directory is not None:
    jax.config.update("jax_compilation_cache_dir", directory)


def setup(*, compilation_cache: bool = True) -> None:
  """Sets up this process: huge-page restart, XLA CPU flags, allocator, compilation cache.

  Call first in a binary's `main`, before JAX initialises its backends (the
  XLA flags are read then); a warning is logged when they are already up.

  Args:
    compilation_cache: False leaves JAX's persistent compilation cache alone
      (the timing binaries choose theirs with --compilation_cache).
  """
  use_huge_pages()
  if xla_bridge.backends_are_initialized():
    logging.warning("platform.setup: JAX's backends are already initialised; XLA_FLAGS unchanged")
  else:
    add_cpu_flags()
  keep_freed_memory()
  if compilation_cache:
    use_compilation_cache()


def main(argv) -> None:
  del argv
  setup()
  print(f"XLA_FLAGS={os.environ.get('XLA_FLAGS', '')}")
  print(f"GLIBC_TUNABLES={os.environ.get('GLIBC_TUNABLES', '')}")
  print(f"jax_compilation_cache_dir={jax.config.jax_compilation_cache_dir}")
  print(f"devices={jax.devices()}")


if __name__ == "__main__":
  app.run(main)
