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
os.environ.setdefault("XLA_FLAGS", "--xla_backend_optimization_level=0")
