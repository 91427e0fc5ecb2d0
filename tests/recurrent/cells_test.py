"""Baseline cells (memnets/recurrent/cells.py): Flax's cells behind memnets' interface."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from memnets.recurrent import cells as recurrent

B, I, H = 3, 5, 7
X = jax.random.normal(jax.random.key(0), (B, I))


@pytest.mark.parametrize("name", sorted(recurrent.CONTROLLERS))
def test_shapes_and_named_tuple_states(name):
  cell = recurrent.CONTROLLERS[name](I, H, rngs=nnx.Rngs(0))
  state = cell.initial_state(B)
  assert isinstance(state, tuple) and hasattr(state, "_fields")  # a NamedTuple
  new_state, y = cell(state, X)
  chex.assert_shape(y, (B, H))
  assert type(new_state) is type(state)
  chex.assert_trees_all_equal_shapes(new_state, state)
  assert cell.output_size == H


def test_lstm_is_flax_optimized_lstm_cell():
  cell = recurrent.LSTM(I, H, rngs=nnx.Rngs(0))
  state = recurrent.LSTMState(cell=jnp.ones((B, H)), hidden=-jnp.ones((B, H)))
  (c, h), y = cell.cell((state.cell, state.hidden), X)
  new_state, out = cell(state, X)
  np.testing.assert_allclose(new_state.cell, c)
  np.testing.assert_allclose(new_state.hidden, h)
  np.testing.assert_allclose(out, y)
  np.testing.assert_allclose(out, new_state.hidden)  # an LSTM outputs its hidden state


@pytest.mark.parametrize("name,flax_cell", [("gru", nnx.GRUCell), ("rnn", nnx.SimpleCell)])
def test_single_state_cells_wrap_their_flax_cell(name, flax_cell):
  cell = recurrent.CONTROLLERS[name](I, H, rngs=nnx.Rngs(0))
  assert isinstance(cell.cell, flax_cell)
  h0 = jax.random.normal(jax.random.key(1), (B, H))
  expected_h, _ = cell.cell(h0, X)
  new_state, y = cell(recurrent.HiddenState(h0), X)
  np.testing.assert_allclose(new_state.hidden, expected_h)
  np.testing.assert_allclose(y, expected_h)


def test_rnn_is_tanh_of_affine_maps():
  cell = recurrent.RNN(I, H, rngs=nnx.Rngs(0))
  h0 = jax.random.normal(jax.random.key(2), (B, H))
  _, y = cell(recurrent.HiddenState(h0), X)
  params = nnx.state(cell.cell, nnx.Param)
  flat = {"/".join(map(str, k)): v[...] for k, v in nnx.to_flat_state(params)}
  pre = X @ flat["dense_i/kernel"] + h0 @ flat["dense_h/kernel"]
  pre = pre + flat.get("dense_i/bias", 0.0) + flat.get("dense_h/bias", 0.0)
  np.testing.assert_allclose(y, jnp.tanh(pre), rtol=1e-5, atol=1e-6)


def test_feedforward_is_stateless():
  cell = recurrent.FeedForward(I, H, rngs=nnx.Rngs(0))
  state = cell.initial_state(B)
  assert state == recurrent.EmptyState()
  _, y1 = cell(state, X)
  _, y2 = cell(state, X)
  np.testing.assert_array_equal(y1, y2)
  np.testing.assert_allclose(y1, jnp.tanh(cell.dense(X)))
