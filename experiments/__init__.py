"""memnets' experiment binaries: train, evaluate, visualize, benchmark, demo.

Importing this package (which every `python -m experiments.<binary>` does
before JAX starts its backends) adds XLA CPU flags that were measured faster
for memnets' models, unless XLA_FLAGS already sets them:

- `--xla_cpu_experimental_ynn_fusion_type=-reduce,-eltwise,-dot`: keeps XLA's
  own CPU emitters for reductions, elementwise fusions and dots instead of
  YNNPACK fusions, which were slow on the NTM's small [B, N, M] memory ops.
  Standard NTM training step (batch 16, copy length 20, 2-core CPU, library
  train step through `experiments/benchmark.py`'s case): median 109 and 122 ms
  without, 70 and 70 ms with (two interleaved runs each); the 3 × 256 LSTM
  baseline: 167 and 254 ms without, 141 and 179 ms with.

The flags only touch XLA's CPU compiler; GPU and TPU programs are unaffected.
Library users who want the same speed-up set XLA_FLAGS themselves.
"""

import os
from importlib import metadata

CPU_XLA_FLAGS = ("--xla_cpu_experimental_ynn_fusion_type=-reduce,-eltwise,-dot",)
# The flag is known to the XLA of jaxlib 0.10 (the pinned version); an XLA that
# does not know a flag in XLA_FLAGS aborts, so older jaxlibs do not get it.
MIN_JAXLIB = (0, 10)


def add_cpu_flags() -> None:
  """Appends `CPU_XLA_FLAGS` to XLA_FLAGS (once; never overriding the user's)."""
  current = os.environ.get("XLA_FLAGS", "")
  if "ynn_fusion_type" in current:
    return
  try:
    version = tuple(int(part) for part in metadata.version("jaxlib").split(".")[:2])
  except (metadata.PackageNotFoundError, ValueError):
    return
  if version < MIN_JAXLIB:
    return
  os.environ["XLA_FLAGS"] = " ".join([current, *CPU_XLA_FLAGS]).strip()


add_cpu_flags()
