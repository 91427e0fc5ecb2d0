"""memnets: memory-augmented neural networks in JAX/Flax.

  from memnets import NTMCell, unroll
  cell = NTMCell(input_size=9, output_size=8, rngs=nnx.Rngs(0))
  state, ys_BxTxO = unroll(cell, xs_BxTxI)

One package per model family (`memnets.ntm`, `memnets.dnc`, `memnets.recurrent`), the time
loop (`memnets.unrolling.unroll`), the registry of models by name
(`memnets.models.MODELS`), tasks, training and figures.
"""

from memnets import dnc, models, ntm, recurrent, tasks, unrolling
from memnets.dnc import DNCCell
from memnets.models import MODELS
from memnets.ntm import NTMCell
from memnets.recurrent import GRU, LSTM, RNN, Bidirectional, Readout, Stacked
from memnets.unrolling import unroll

__all__ = [
  "GRU",
  "LSTM",
  "MODELS",
  "RNN",
  "Bidirectional",
  "DNCCell",
  "NTMCell",
  "Readout",
  "Stacked",
  "dnc",
  "models",
  "ntm",
  "recurrent",
  "tasks",
  "unroll",
  "unrolling",
]
