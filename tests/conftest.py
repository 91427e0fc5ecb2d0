"""Shared pytest set-up, applied before any test module imports JAX.

- XLA runs on the CPU, quietly.
- Tests are dominated by compilation, not by running the compiled programs, so
  XLA's backend optimisation is turned off for them
  (`--xla_backend_optimization_level=0` compiles several times faster).
  Benchmarks and experiments keep the default.
- No persistent compilation cache (MEMNETS_COMPILATION_CACHE=0).
- The `binaries` fixture runs the experiment binaries in subprocesses.
"""

import os
import pathlib
import subprocess
import sys

import pytest

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# Tests and the binaries they start compile afresh and write nothing under
# the home directory.
os.environ.setdefault("MEMNETS_COMPILATION_CACHE", "0")
# One CPU device in-process (experiments would otherwise add one per core);
# tests that want several devices, and the binaries' tests, set their own.
os.environ.setdefault(
  "XLA_FLAGS", "--xla_backend_optimization_level=0 --xla_force_host_platform_device_count=1"
)

REPO = pathlib.Path(__file__).resolve().parents[1]
BINARY_TIMEOUT_S = 300


class Binaries:
  """Runs `python -m <module> ...` from the repository root, as a user would.

  The binaries run on the CPU with the suite's compile-fast XLA flag and no
  compilation cache; their own `platform.setup()` adds one CPU device per core.
  """

  repo = REPO

  def env(self, **overrides: str | None) -> dict[str, str]:
    """The binaries' environment: this process's, the repository on PYTHONPATH, `overrides`
    (None removes a variable)."""
    env = {
      **os.environ,
      "PYTHONPATH": str(REPO),
      "JAX_PLATFORMS": "cpu",
      "XLA_FLAGS": "--xla_backend_optimization_level=0",
      **overrides,
    }
    return {name: value for name, value in env.items() if value is not None}

  def python(self, *args: str, timeout: float = BINARY_TIMEOUT_S, **env: str | None):
    """Runs `python <args>` to its end: a `CompletedProcess` with text stdout and stderr."""
    return subprocess.run(
      [sys.executable, *args],
      cwd=REPO,
      env=self.env(**env),
      capture_output=True,
      text=True,
      timeout=timeout,
    )

  def run(self, module: str, *flags: str, timeout: float = BINARY_TIMEOUT_S, **env: str | None):
    """Runs the binary `python -m <module> <flags>` to its end (see `python`)."""
    return self.python("-m", module, *flags, timeout=timeout, **env)

  def start(self, module: str, *flags: str, **env: str | None) -> subprocess.Popen:
    """Starts the binary without waiting (output discarded), e.g. to kill it midway."""
    return subprocess.Popen(
      [sys.executable, "-m", module, *flags],
      cwd=REPO,
      env=self.env(**env),
      stdout=subprocess.DEVNULL,
      stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def binaries() -> Binaries:
  """Runs the experiment binaries in subprocesses (`binaries.run(module, *flags)`)."""
  return Binaries()


SLOW_LIST = pathlib.Path(__file__).with_name("slow.txt")


def slow_node_ids() -> set[str]:
  """The node ids (relative to tests/) that tests/slow.txt marks `slow`."""
  lines = SLOW_LIST.read_text().splitlines()
  return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def pytest_collection_modifyitems(config, items):
  """Marks the tests of tests/slow.txt `slow`: `make test` deselects them, `make test-slow` runs them."""
  slow = slow_node_ids()
  root = pathlib.Path(__file__).parent
  for item in items:
    relative = pathlib.Path(item.path).relative_to(root).as_posix()
    if f"{relative}::{item.name}" in slow:
      item.add_marker(pytest.mark.slow)
