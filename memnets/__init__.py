"""memnets: memory-augmented neural networks in JAX/Flax.

from memnets import NTMCell, unroll
cell = NTMCell(input_size=9, output_size=8, rngs=nnx.Rngs(0))
state, ys_BxTxO = unroll(cell, xs_BxTxI)
"""

from memnets import addressing, memory
from memnets.cells import (
  GRU,
  LSTM,
  MODELS,
  RNN,
  Bidirectional,
  NTMCell,
  Readout,
  Stacked,
)
from memnets.unroll import unroll

__all__ = [
  "GRU",
  "LSTM",
  "MODELS",
  "RNN",
  "Bidirectional",
  "NTMCell",
  "Readout",
  "Stacked",
  "addressing",
  "memory",
  "unroll",
]
