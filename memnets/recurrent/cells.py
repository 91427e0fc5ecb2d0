"""Baseline recurrent cells behind memnets' cell interface.

Vanilla RNN (tanh), LSTM (Hochreiter & Schmidhuber 1997) and GRU (Cho et al.
2014) reuse Flax's own cells; this module only adapts them to the interface
every memnets cell shares (see docs/design.md):

  cell = LSTM(input_size, hidden_size, rngs=nnx.Rngs(0))
  state = cell.initial_state(batch_size)      # a NamedTuple
  state, y_BxH = cell(state, x_BxI)           # carry first, like lax.scan

`FeedForward` is the stateless controller of the NTM paper's feed-forward
variant: one dense layer with a tanh, and an empty state.
"""

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx


class LSTMState(NamedTuple):
  cell: jax.Array  # [B, H] memory cell c
  hidden: jax.Array  # [B, H] output h


class HiddenState(NamedTuple):
  hidden: jax.Array  # [B, H]


class EmptyState(NamedTuple):
  """State of a stateless cell."""


@functools.cache
def forget_bias_init(forget_bias: float):
  """Bias initialiser of the [i, f, g, o] gates of Flax's LSTM cells: `forget_bias` on f, 0 else.

  Cached, so cells with the same `forget_bias` share one initialiser (module
  attributes are part of a model's static structure, its graphdef).
  """

  def init(key, shape, dtype=jnp.float32):
    del key
    hidden = shape[-1] // 4
    return jnp.zeros(shape, dtype).at[..., hidden : 2 * hidden].set(forget_bias)

  return init


class LSTM(nnx.Module):
  """LSTM on Flax's `OptimizedLSTMCell` (one fused matmul for all four gates).

  `forget_bias` initialises the forget gate's bias (Flax's default 0; 1 keeps
  the cell's memory through the first steps of training, as many NTM
  implementations do).
  """

  def __init__(
    self, input_size: int, hidden_size: int, *, forget_bias: float = 0.0, rngs: nnx.Rngs
  ):
    self.input_size = input_size
    self.hidden_size = hidden_size
    self.output_size = hidden_size
    init = {"bias_init": forget_bias_init(forget_bias)} if forget_bias else {}
    self.cell = nnx.OptimizedLSTMCell(input_size, hidden_size, rngs=rngs, **init)

  def initial_state(self, batch_size: int) -> LSTMState:
    zeros = jnp.zeros((batch_size, self.hidden_size), jnp.float32)
    return LSTMState(cell=zeros, hidden=zeros)

  def __call__(self, state: LSTMState, x: jax.Array) -> tuple[LSTMState, jax.Array]:
    (c, h), y = self.cell((state.cell, state.hidden), x)
    return LSTMState(cell=c, hidden=h), y


class _SingleStateCell(nnx.Module):
  """A Flax cell whose carry is one hidden vector h (GRU, simple RNN)."""

  flax_cell: type[nnx.Module]

  def __init__(self, input_size: int, hidden_size: int, *, rngs: nnx.Rngs):
    self.input_size = input_size
    self.hidden_size = hidden_size
    self.output_size = hidden_size
    self.cell = self.flax_cell(input_size, hidden_size, rngs=rngs)

  def initial_state(self, batch_size: int) -> HiddenState:
    return HiddenState(jnp.zeros((batch_size, self.hidden_size), jnp.float32))

  def __call__(self, state: HiddenState, x: jax.Array) -> tuple[HiddenState, jax.Array]:
    h, y = self.cell(state.hidden, x)
    return HiddenState(h), y


class GRU(_SingleStateCell):
  """GRU on Flax's `GRUCell`."""

  flax_cell = nnx.GRUCell


class RNN(_SingleStateCell):
  """Vanilla tanh RNN on Flax's `SimpleCell`: h' = tanh(W x + U h + b)."""

  flax_cell = nnx.SimpleCell


class FeedForward(nnx.Module):
  """Stateless controller: y = tanh(W x + b); its state is empty."""

  def __init__(self, input_size: int, hidden_size: int, *, rngs: nnx.Rngs):
    self.input_size = input_size
    self.hidden_size = hidden_size
    self.output_size = hidden_size
    self.dense = nnx.Linear(input_size, hidden_size, rngs=rngs)

  def initial_state(self, batch_size: int) -> EmptyState:
    del batch_size
    return EmptyState()

  def __call__(self, state: EmptyState, x: jax.Array) -> tuple[EmptyState, jax.Array]:
    return state, jnp.tanh(self.dense(x))


# Cells that map (input_size, hidden_size) to a hidden output, by name.
CONTROLLERS = {"lstm": LSTM, "gru": GRU, "rnn": RNN, "feedforward": FeedForward}
