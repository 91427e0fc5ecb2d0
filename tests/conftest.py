"""Shared pytest set-up, applied before any test module imports JAX.

- XLA runs on the CPU, quietly.
- Tests are dominated by compilation, not by running the compiled programs, so
  XLA's backend optimisation is turned off for them
  (`--xla_backend_optimization_level=0` compiles several times faster).
  Benchmarks and experiments keep the default.
"""

import os

os.environ.setdefault("JAX_PLATFORMS", "cpu")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# One CPU device in-process (experiments would otherwise add one per core);
# tests that want several devices, and the binaries' tests, set their own.
os.environ.setdefault(
  "XLA_FLAGS", "--xla_backend_optimization_level=0 --xla_force_host_platform_device_count=1"
)
