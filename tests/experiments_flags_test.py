"""Importing `experiments` adds the faster XLA CPU flags (never twice), allocator settings and a compilation cache."""

import os
import subprocess
import sys

import pytest

import experiments


def test_flags_are_added_once_and_keep_existing_ones(monkeypatch):
  monkeypatch.setenv("XLA_FLAGS", "--xla_backend_optimization_level=0")
  experiments.add_cpu_flags()
  experiments.add_cpu_flags()
  flags = os.environ["XLA_FLAGS"].split()
  assert flags[0] == "--xla_backend_optimization_level=0"
  assert flags.count(experiments.YNN_FLAG) == 1
  assert flags[1:] == experiments.cpu_flags()


def test_one_cpu_device_per_core(monkeypatch):
  monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
  assert f"{experiments.DEVICE_COUNT_FLAG}=3" in experiments.cpu_flags()
  monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
  assert not any(experiments.DEVICE_COUNT_FLAG in flag for flag in experiments.cpu_flags())


def test_a_user_setting_is_not_overridden(monkeypatch):
  user = "--xla_cpu_experimental_ynn_fusion_type=reduce --xla_force_host_platform_device_count=1"
  monkeypatch.setenv("XLA_FLAGS", user)
  experiments.add_cpu_flags()
  assert os.environ["XLA_FLAGS"] == user


_FAULTS_SCRIPT = """
import ctypes, resource
import experiments
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
size = 64 << 20  # as XLA's scratch buffers: plain malloc, written, freed
faults = []
for _ in range(4):
  before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
  block = libc.malloc(size)
  ctypes.memset(block, 1, size)
  libc.free(block)
  faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(faults[-1])
"""


def _faults_of_a_repeated_large_block(env_value):
  env = dict(os.environ, MEMNETS_KEEP_FREED_MEMORY=env_value)
  for name in ("MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"):
    env.pop(name, None)
  out = subprocess.run(
    [sys.executable, "-c", _FAULTS_SCRIPT], env=env, capture_output=True, text=True, check=True
  )
  return int(out.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator")
def test_freed_blocks_are_kept_so_their_pages_do_not_fault_again():
  # A 64 MiB block is 16,384 pages, above the largest size glibc serves from
  # the heap by default: each allocation maps and faults them in anew; kept on
  # the heap, they are faulted in once.
  assert _faults_of_a_repeated_large_block("0") > 8000
  assert _faults_of_a_repeated_large_block("1") < 1000


def test_keep_freed_memory_respects_the_off_switch_and_glibc_settings(monkeypatch):
  monkeypatch.setenv("MEMNETS_KEEP_FREED_MEMORY", "0")
  assert not experiments.keep_freed_memory()
  monkeypatch.setenv("MEMNETS_KEEP_FREED_MEMORY", "1")
  monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
  assert not experiments.keep_freed_memory()


@pytest.fixture
def huge_pages_machine(monkeypatch):
  """A binary's command line on a machine where the huge-page restart applies."""
  monkeypatch.setattr(
    sys, "orig_argv", ["python", "-X", "utf8", "-m", "experiments.train", "--a=1"]
  )
  monkeypatch.setattr(experiments, "_thp_mode", lambda: "madvise")
  monkeypatch.setattr(experiments, "_glibc_version", lambda: (2, 36))
  monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
  monkeypatch.delenv(experiments.HUGE_PAGES_ENV, raising=False)
  return monkeypatch


def test_a_binary_restarts_once_with_the_huge_page_tunable(huge_pages_machine):
  command = experiments.huge_pages_restart()
  assert command == [sys.executable, "-X", "utf8", "-m", "experiments.train", "--a=1"]
  huge_pages_machine.setenv("GLIBC_TUNABLES", experiments.HUGE_PAGES_TUNABLE)
  assert experiments.huge_pages_restart() is None  # the restarted process: no loop


@pytest.mark.parametrize(
  "change",
  [
    lambda mp: mp.setattr(sys, "orig_argv", ["python", "-m", "pytest", "tests"]),
    lambda mp: mp.setattr(sys, "orig_argv", ["python", "-c", "import experiments"]),
    lambda mp: mp.setattr(sys, "orig_argv", ["python", "run.py", "-m", "experiments.train"]),
    lambda mp: mp.setattr(experiments, "_thp_mode", lambda: "never"),
    lambda mp: mp.setattr(experiments, "_thp_mode", lambda: "always"),
    lambda mp: mp.setattr(experiments, "_glibc_version", lambda: (2, 31)),
    lambda mp: mp.setattr(experiments, "_glibc_version", lambda: None),
    lambda mp: mp.setenv(experiments.HUGE_PAGES_ENV, "0"),
    lambda mp: mp.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2"),
  ],
)
def test_no_restart_outside_binaries_or_without_support(huge_pages_machine, change):
  change(huge_pages_machine)
  assert experiments.huge_pages_restart() is None


def _ctypes_imports(extra_env):
  """How many processes imported ctypes while running `python -m experiments.cli`.

  `-X importtime` reports each finished import on stderr; `experiments`
  imports ctypes before it restarts the binary, so a restart shows it twice.
  """
  env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
  env.update(extra_env)
  out = subprocess.run(
    [sys.executable, "-X", "importtime", "-m", "experiments.cli"],
    env=env,
    capture_output=True,
    text=True,
    timeout=120,
  )
  assert out.returncode == 0, out.stderr
  return sum(line.split("|")[-1].strip() == "ctypes" for line in out.stderr.splitlines())


def test_a_binary_starts_through_the_restart_where_it_applies():
  version = experiments._glibc_version()
  applies = experiments._thp_mode() == "madvise" and version and version >= (2, 35)
  assert _ctypes_imports({experiments.HUGE_PAGES_ENV: "1"}) == (2 if applies else 1)
  assert _ctypes_imports({experiments.HUGE_PAGES_ENV: "0"}) == 1


@pytest.fixture
def cache_env(monkeypatch):
  for name in ("JAX_COMPILATION_CACHE_DIR", "MEMNETS_COMPILATION_CACHE", "XDG_CACHE_HOME"):
    # setenv first, so monkeypatch restores the variable (or its absence) even
    # when the code under test sets it.
    monkeypatch.setenv(name, "")
    monkeypatch.delenv(name)
  monkeypatch.setenv("HOME", "/home/someone")
  return monkeypatch


def test_compilation_cache_goes_to_the_user_cache_directory(cache_env):
  assert experiments.compilation_cache_dir() == "/home/someone/.cache/memnets/jax"
  cache_env.setenv("XDG_CACHE_HOME", "/var/cache/me")
  assert experiments.compilation_cache_dir() == "/var/cache/me/memnets/jax"
  cache_env.setenv("MEMNETS_COMPILATION_CACHE", "/scratch/xla")
  assert experiments.compilation_cache_dir() == "/scratch/xla"
  experiments.use_compilation_cache()
  assert os.environ["JAX_COMPILATION_CACHE_DIR"] == "/scratch/xla"


def test_compilation_cache_off_switch_and_a_jax_setting_win(cache_env):
  cache_env.setenv("MEMNETS_COMPILATION_CACHE", "0")
  assert experiments.compilation_cache_dir() is None
  experiments.use_compilation_cache()
  assert "JAX_COMPILATION_CACHE_DIR" not in os.environ
  cache_env.delenv("MEMNETS_COMPILATION_CACHE")
  cache_env.setenv("JAX_COMPILATION_CACHE_DIR", "/mine")
  assert experiments.compilation_cache_dir() is None
  experiments.use_compilation_cache()
  assert os.environ["JAX_COMPILATION_CACHE_DIR"] == "/mine"
