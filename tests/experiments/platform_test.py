"""`platform.setup()` adds the faster XLA CPU flags (never twice), allocator settings and a
compilation cache; importing memnets or experiments changes nothing."""

import json
import os
import subprocess
import sys

import jax
import pytest

from experiments import platform


def test_flags_are_added_once_and_keep_existing_ones(monkeypatch):
  monkeypatch.setenv("XLA_FLAGS", "--xla_backend_optimization_level=0")
  platform.add_cpu_flags()
  platform.add_cpu_flags()
  flags = os.environ["XLA_FLAGS"].split()
  assert flags[0] == "--xla_backend_optimization_level=0"
  assert flags.count(platform.YNN_FLAG) == 1
  assert flags[1:] == platform.cpu_flags()


def test_one_cpu_device_per_core(monkeypatch):
  monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)
  assert f"{platform.DEVICE_COUNT_FLAG}=3" in platform.cpu_flags()
  monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
  assert not any(platform.DEVICE_COUNT_FLAG in flag for flag in platform.cpu_flags())


def test_a_user_setting_is_not_overridden(monkeypatch):
  user = "--xla_cpu_experimental_ynn_fusion_type=reduce --xla_force_host_platform_device_count=1"
  monkeypatch.setenv("XLA_FLAGS", user)
  platform.add_cpu_flags()
  assert os.environ["XLA_FLAGS"] == user


_FAULTS_SCRIPT = """
import ctypes, resource
from experiments import platform
platform.keep_freed_memory()
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
  assert not platform.keep_freed_memory()
  monkeypatch.setenv("MEMNETS_KEEP_FREED_MEMORY", "1")
  monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "131072")
  assert not platform.keep_freed_memory()


@pytest.fixture
def huge_pages_machine(monkeypatch):
  """A binary's command line on a machine where the huge-page restart applies."""
  monkeypatch.setattr(
    sys, "orig_argv", ["python", "-X", "utf8", "-m", "experiments.train", "--a=1"]
  )
  monkeypatch.setattr(platform, "_thp_mode", lambda: "madvise")
  monkeypatch.setattr(platform, "_glibc_version", lambda: (2, 36))
  monkeypatch.delenv("GLIBC_TUNABLES", raising=False)
  monkeypatch.delenv(platform.HUGE_PAGES_ENV, raising=False)
  return monkeypatch


def test_a_binary_restarts_once_with_the_huge_page_tunable(huge_pages_machine):
  command = platform.huge_pages_restart()
  assert command == [sys.executable, "-X", "utf8", "-m", "experiments.train", "--a=1"]
  huge_pages_machine.setenv("GLIBC_TUNABLES", platform.HUGE_PAGES_TUNABLE)
  assert platform.huge_pages_restart() is None  # the restarted process: no loop


@pytest.mark.parametrize(
  "change",
  [
    lambda mp: mp.setattr(sys, "orig_argv", ["python", "-m", "pytest", "tests"]),
    lambda mp: mp.setattr(sys, "orig_argv", ["python", "-c", "import experiments"]),
    lambda mp: mp.setattr(sys, "orig_argv", ["python", "run.py", "-m", "experiments.train"]),
    lambda mp: mp.setattr(platform, "_thp_mode", lambda: "never"),
    lambda mp: mp.setattr(platform, "_thp_mode", lambda: "always"),
    lambda mp: mp.setattr(platform, "_glibc_version", lambda: (2, 31)),
    lambda mp: mp.setattr(platform, "_glibc_version", lambda: None),
    lambda mp: mp.setenv(platform.HUGE_PAGES_ENV, "0"),
    lambda mp: mp.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2"),
  ],
)
def test_no_restart_outside_binaries_or_without_support(huge_pages_machine, change):
  change(huge_pages_machine)
  assert platform.huge_pages_restart() is None


def _setup_report(binaries, **env):
  """What `python -m experiments.platform` (setup, then a report) printed, as a dict."""
  result = binaries.run("experiments.platform", GLIBC_TUNABLES=None, XLA_FLAGS=None, **env)
  assert result.returncode == 0, result.stderr[-3000:]
  return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)


def test_a_binary_starts_through_the_restart_where_it_applies(binaries):
  version = platform._glibc_version()
  applies = platform._thp_mode() == "madvise" and version and version >= (2, 35)
  report = _setup_report(binaries, **{platform.HUGE_PAGES_ENV: "1"})
  assert report["GLIBC_TUNABLES"] == (platform.HUGE_PAGES_TUNABLE if applies else "")
  assert _setup_report(binaries, **{platform.HUGE_PAGES_ENV: "0"})["GLIBC_TUNABLES"] == ""


def test_setup_gives_a_binary_one_cpu_device_per_core_and_the_cache(binaries, tmp_path):
  report = _setup_report(binaries, **{platform.COMPILATION_CACHE_ENV: str(tmp_path)})
  assert report["XLA_FLAGS"].split() == platform.cpu_flags()
  assert report["devices"].count("CpuDevice") == platform._cores()
  assert report["jax_compilation_cache_dir"] == str(tmp_path)


_IMPORT_EVERYTHING = """
import os, pkgutil, importlib, json
import jax, flax, optax, orbax.checkpoint, ml_collections, matplotlib, tensorboardX
from jax._src import xla_bridge
# Third-party imports set their own variables; what memnets' imports do is measured after them.
before_env = dict(os.environ)
before_cache = jax.config.jax_compilation_cache_dir
from absl import flags
import memnets, experiments
names = []
for package in (memnets, experiments):
  for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(info.name)
    names.append(info.name)
    # Binaries define absl flags; drop them so the next binary may define its own.
    for flag in list(flags.FLAGS.flags_by_module_dict().get(info.name, [])):
      delattr(flags.FLAGS, flag.name)
changed = sorted(k for k in set(before_env) | set(os.environ) if before_env.get(k) != os.environ.get(k))
print(json.dumps({"names": names, "changed": changed,
                  "cache": jax.config.jax_compilation_cache_dir == before_cache,
                  "backends": xla_bridge.backends_are_initialized()}))
"""


def test_importing_memnets_experiments_and_configs_changes_nothing(binaries):
  result = binaries.python("-c", _IMPORT_EVERYTHING, GLIBC_TUNABLES=None)
  assert result.returncode == 0, result.stderr[-3000:]
  report = json.loads(result.stdout.splitlines()[-1])
  expected = {"experiments.configs.ntm_copy", "experiments.train", "experiments.platform"}
  assert expected | {"memnets.ntm.cell", "memnets.training.loop"} <= set(report["names"])
  assert report["changed"] == [] and report["cache"] and not report["backends"]


@pytest.fixture
def cache_env(monkeypatch):
  for name in ("JAX_COMPILATION_CACHE_DIR", "MEMNETS_COMPILATION_CACHE", "XDG_CACHE_HOME"):
    monkeypatch.delenv(name, raising=False)
  monkeypatch.setenv("HOME", "/home/someone")
  before = jax.config.jax_compilation_cache_dir
  yield monkeypatch
  jax.config.update("jax_compilation_cache_dir", before)


def test_compilation_cache_goes_to_the_user_cache_directory(cache_env):
  assert platform.compilation_cache_dir() == "/home/someone/.cache/memnets/jax"
  cache_env.setenv("XDG_CACHE_HOME", "/var/cache/me")
  assert platform.compilation_cache_dir() == "/var/cache/me/memnets/jax"
  cache_env.setenv("MEMNETS_COMPILATION_CACHE", "/scratch/xla")
  assert platform.compilation_cache_dir() == "/scratch/xla"
  platform.use_compilation_cache()
  assert jax.config.jax_compilation_cache_dir == "/scratch/xla"


def test_compilation_cache_off_switch_and_a_jax_setting_win(cache_env):
  jax.config.update("jax_compilation_cache_dir", None)
  cache_env.setenv("MEMNETS_COMPILATION_CACHE", "0")
  assert platform.compilation_cache_dir() is None
  platform.use_compilation_cache()
  assert jax.config.jax_compilation_cache_dir is None
  cache_env.delenv("MEMNETS_COMPILATION_CACHE")
  cache_env.setenv("JAX_COMPILATION_CACHE_DIR", "/mine")
  assert platform.compilation_cache_dir() is None
  platform.use_compilation_cache()
  assert jax.config.jax_compilation_cache_dir is None  # JAX read /mine itself, at its import


def test_setup_after_jax_started_warns_and_leaves_xla_flags(monkeypatch):
  jax.devices()  # the backends are up
  monkeypatch.setenv("XLA_FLAGS", "--xla_backend_optimization_level=0")
  monkeypatch.setenv(platform.KEEP_FREED_MEMORY_ENV, "0")
  warned = []
  monkeypatch.setattr(platform.logging, "warning", lambda *args: warned.append(args))
  platform.setup(compilation_cache=False)
  assert os.environ["XLA_FLAGS"] == "--xla_backend_optimization_level=0"
  assert warned and "already initialised" in warned[0][0]
