"""Wrappers that compose cells: stacking, a dense read-out, bidirectional runs.

`Stacked` and `Readout` are cells themselves (same interface). `Bidirectional`
is a sequence model: it needs the whole input, so it takes `[B, T, I]` and
runs its two cells through `memnets.unrolling.unroll`, one of them reversed.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx

from memnets.unrolling import RunFn, unroll


class StackedState(NamedTuple):
  layers: tuple  # one state per layer, bottom first


class Stacked(nnx.Module):
  """Multi-layer cell: layer k's output is layer k+1's input; the top's output is y.

  With `skip_connections` (Graves 2013's deep LSTM, the DNC paper's deep
  controller), every layer above the first also sees the stack's input x,
  layer k's input being [x; h^{k−1}], and y is every layer's output
  concatenated, bottom first (`output_size` = hidden_size × num_layers).
  """

  def __init__(
    self,
    make_cell: Callable[..., Any],
    input_size: int,
    hidden_size: int,
    num_layers: int,
    *,
    skip_connections: bool = False,
    rngs: nnx.Rngs,
  ):
    if num_layers < 1:
      raise ValueError(f"num_layers must be >= 1, got {num_layers}")
    skip = input_size if skip_connections else 0
    sizes = [input_size] + [skip + hidden_size] * (num_layers - 1)
    self.layers = nnx.List([make_cell(size, hidden_size, rngs=rngs) for size in sizes])
    self.skip_connections = skip_connections
    self.input_size = input_size
    self.output_size = hidden_size * (num_layers if skip_connections else 1)

  def _layer_input(self, x: jax.Array, below: jax.Array, k: int) -> jax.Array:
    if k == 0:
      return x
    return jnp.concatenate([x, below], -1) if self.skip_connections else below

  def _output(self, outputs: list[jax.Array]) -> jax.Array:
    return jnp.concatenate(outputs, -1) if self.skip_connections else outputs[-1]

  def initial_state(self, batch_size: int) -> StackedState:
    return StackedState(tuple(layer.initial_state(batch_size) for layer in self.layers))

  def __call__(self, state: StackedState, x: jax.Array) -> tuple[StackedState, jax.Array]:
    new_states, outputs, h = [], [], x
    for k, (layer, layer_state) in enumerate(zip(self.layers, state.layers, strict=True)):
      layer_state, h = layer(layer_state, self._layer_input(x, h, k))
      new_states.append(layer_state)
      outputs.append(h)
    return StackedState(tuple(new_states)), self._output(outputs)

  def unroll_layers(
    self, run: RunFn, xs_TxBxI: jax.Array, state: StackedState
  ) -> tuple[StackedState, jax.Array, StackedState | None]:
    """Runs the stack one layer at a time, each over the whole sequence (`memnets.unrolling`).

    Args:
      run: `unroll`'s loop, its options bound: `(cell, xs [T, B, I], state) ->
        (final state, ys [T, B, O], every step's state or None)`.
      xs_TxBxI: the bottom layer's inputs, time-major.
      state: the stack's initial state.

    Returns:
      `(final state, the stack's ys [T, B, output_size], every step's state as
      a StackedState of time-major leaves, or None when `run` returns none)`.
    """
    finals, per_step, outputs, ys = [], [], [], xs_TxBxI
    for k, (layer, layer_state) in enumerate(zip(self.layers, state.layers, strict=True)):
      final, ys, states = run(layer, self._layer_input(xs_TxBxI, ys, k), layer_state)
      finals.append(final)
      per_step.append(states)
      outputs.append(ys)
    states = None if per_step[0] is None else StackedState(tuple(per_step))
    return StackedState(tuple(finals)), self._output(outputs), states


class Readout(nnx.Module):
  """A cell followed by a dense layer: y = W · cell_output + b, of size `output_size`.

  With `embed_from` = I > 0 the inputs (I wide, one-hot symbols for
  instance) are first embedded into the cell's input width by a matrix of
  unit-normal entries and no bias, the symbol embedding of sequence models.
  """

  def __init__(self, cell: nnx.Module, output_size: int, *, embed_from: int = 0, rngs: nnx.Rngs):
    if embed_from < 0:
      raise ValueError(f"embed_from must be >= 0, got {embed_from}")
    self.cell = cell
    self.input_size = embed_from or cell.input_size
    self.output_size = output_size
    unit = nnx.initializers.normal(1.0)
    self.embed = (
      nnx.Linear(embed_from, cell.input_size, use_bias=False, kernel_init=unit, rngs=rngs)
      if embed_from
      else None
    )
    self.dense = nnx.Linear(cell.output_size, output_size, rngs=rngs)

  def initial_state(self, batch_size: int):
    return self.cell.initial_state(batch_size)

  def _embedded(self, x: jax.Array) -> jax.Array:
    return x if self.embed is None else self.embed(x)

  def __call__(self, state, x: jax.Array):
    state, h = self.cell(state, self._embedded(x))
    return state, self.dense(h)

  def unroll_layers(self, run: RunFn, xs_TxBxI: jax.Array, state) -> tuple[Any, jax.Array, Any]:
    """Runs the cell over the whole sequence, then the dense layer once on all its outputs.

    Same arguments and results as `Stacked.unroll_layers`; ys are [T, B, output_size].
    """
    final, hs_TxBxH, states = run(self.cell, self._embedded(xs_TxBxI), state)
    return final, self.dense(hs_TxBxH), states


class Bidirectional(nnx.Module):
  """Runs one cell forwards and one backwards in time and concatenates their outputs."""

  def __init__(self, forward: nnx.Module, backward: nnx.Module):
    self.forward = forward
    self.backward = backward
    self.input_size = forward.input_size
    self.output_size = forward.output_size + backward.output_size

  def __call__(self, xs: jax.Array, mask: jax.Array | None = None) -> jax.Array:
    """xs [B, T, I], optional mask [B, T] of valid steps → ys [B, T, O_fwd + O_bwd].

    With a mask, padded steps leave the states untouched, so the backward cell
    starts at each example's last valid step.
    """
    _, ys_fwd = unroll(self.forward, xs, mask=mask)
    _, ys_bwd = unroll(self.backward, xs, mask=mask, reverse=True)
    return jnp.concatenate([ys_fwd, ys_bwd], axis=-1)
