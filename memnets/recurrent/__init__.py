"""Recurrent cells on memnets' cell interface, and the wrappers that compose cells.

- `cells`: `LSTM`, `GRU`, `RNN` (adapters of Flax's cells) and `FeedForward`.
- `wrappers`: `Stacked` (layers), `Readout` (a dense output layer), `Bidirectional`.
"""

from memnets.recurrent import cells, wrappers
from memnets.recurrent.cells import CONTROLLERS, GRU, LSTM, RNN, FeedForward, LSTMState
from memnets.recurrent.wrappers import Bidirectional, Readout, Stacked

__all__ = [
  "CONTROLLERS",
  "GRU",
  "LSTM",
  "RNN",
  "Bidirectional",
  "FeedForward",
  "LSTMState",
  "Readout",
  "Stacked",
  "cells",
  "wrappers",
]
