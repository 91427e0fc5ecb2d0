"""Baseline cells (memnets/recurrent/cells.py): Flax's cells behind memnets' interface."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from memnets import NTMCell
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


def test_lstm_forget_bias_sets_only_the_forget_gate_bias():
  hidden = 6
  default = recurrent.LSTM(3, hidden, rngs=nnx.Rngs(0))
  biased = recurrent.LSTM(3, hidden, forget_bias=1.0, rngs=nnx.Rngs(0))
  bias = np.asarray(biased.cell.dense_h.bias[...])
  np.testing.assert_array_equal(bias[hidden : 2 * hidden], 1.0)  # gates i, f, g, o
  np.testing.assert_array_equal(np.delete(bias, np.s_[hidden : 2 * hidden]), 0.0)
  np.testing.assert_array_equal(default.cell.dense_h.bias[...], 0.0)
  # The kernels are drawn as without the option; the cell's memory is kept more at the start.
  np.testing.assert_array_equal(biased.cell.dense_h.kernel[...], default.cell.dense_h.kernel[...])
  state = default.initial_state(2)._replace(cell=jnp.ones((2, hidden)))
  x = jnp.zeros((2, 3))
  kept_default = default(state, x)[0].cell
  kept_biased = biased(state, x)[0].cell
  assert bool(jnp.all(kept_biased > kept_default))


def test_ntm_passes_the_forget_bias_to_its_lstm_controller():
  cell = NTMCell(3, 2, controller_size=4, memory_size=5, word_size=3,
                 controller_forget_bias=1.0, rngs=nnx.Rngs(0))  # fmt: skip
  np.testing.assert_array_equal(cell.controller.cell.dense_h.bias[...][4:8], 1.0)
