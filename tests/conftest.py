"""Shared pytest set-up, applied before any test module imports JAX.

- XLA runs on the CPU, quietly.
- Tests are dominated by compilation, not by running the compiled programs, so
  XLA's backend optimisation is turned off for them
  (`--xla_backend_optimization_level=0` compiles several times faster).
  Benchmarks and experiments keep the default.
- No persistent compilation cache (MEMNETS_COMPILATION_CACHE=0).
"""

import os

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
