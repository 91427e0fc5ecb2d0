"""Cell wrappers (memnets/recurrent/wrappers.py): Stacked, Readout, Bidirectional."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from memnets.recurrent import cells as recurrent
from memnets.recurrent import wrappers
from memnets.unrolling import unroll

B, T, I, H, O = 2, 5, 3, 6, 4
XS = jax.random.normal(jax.random.key(0), (B, T, I))


def test_stacked_feeds_each_layer_into_the_next():
  stack = wrappers.Stacked(recurrent.GRU, I, H, 3, rngs=nnx.Rngs(0))
  state = stack.initial_state(B)
  assert len(state.layers) == 3
  new_state, y = stack(state, XS[:, 0])
  x = XS[:, 0]
  for layer, layer_state, new_layer_state in zip(stack.layers, state.layers, new_state.layers,
                                                 strict=True):  # fmt: skip
    expected_state, x = layer(layer_state, x)
    chex.assert_trees_all_close(new_layer_state, expected_state)
  np.testing.assert_allclose(y, x)
  assert stack.output_size == H


def test_stacked_with_skip_connections_feeds_the_input_to_every_layer():
  stack = wrappers.Stacked(recurrent.LSTM, I, H, 3, skip_connections=True, rngs=nnx.Rngs(0))
  assert stack.output_size == 3 * H
  state = stack.initial_state(B)
  new_state, y = stack(state, XS[:, 0])
  x, h, outputs = XS[:, 0], XS[:, 0], []
  for k, (layer, layer_state) in enumerate(zip(stack.layers, state.layers, strict=True)):
    _, h = layer(layer_state, x if k == 0 else jnp.concatenate([x, h], -1))
    outputs.append(h)
  np.testing.assert_allclose(y, jnp.concatenate(outputs, -1), rtol=1e-6)
  # The whole-sequence path (one layer at a time) gives the step loop's outputs.
  _, by_layer = unroll(stack, XS)
  by_step = []
  for t in range(T):
    state, y = stack(state, XS[:, t])
    by_step.append(y)
  np.testing.assert_allclose(by_layer, jnp.stack(by_step, 1), rtol=1e-5, atol=1e-6)


def test_stacked_rejects_zero_layers():
  with pytest.raises(ValueError, match="num_layers"):
    wrappers.Stacked(recurrent.GRU, I, H, 0, rngs=nnx.Rngs(0))


def test_readout_is_a_dense_layer_on_the_cell_output():
  cell = recurrent.LSTM(I, H, rngs=nnx.Rngs(0))
  model = wrappers.Readout(cell, O, rngs=nnx.Rngs(1))
  state = model.initial_state(B)
  new_state, y = model(state, XS[:, 0])
  _, h = cell(state, XS[:, 0])
  chex.assert_shape(y, (B, O))
  np.testing.assert_allclose(y, model.dense(h), rtol=1e-6)
  assert (model.input_size, model.output_size) == (I, O)


def test_readout_can_embed_its_inputs_first_in_steps_and_in_unroll():
  cell = recurrent.LSTM(H, H, rngs=nnx.Rngs(0))
  model = wrappers.Readout(cell, O, embed_from=I, rngs=nnx.Rngs(1))
  assert (model.input_size, model.embed.kernel.shape) == (I, (I, H))
  _, ys = unroll(model, XS)  # the whole-sequence path: cell over embedded inputs, then dense
  _, by_hand = unroll(cell, XS @ model.embed.kernel[...])
  np.testing.assert_allclose(ys, model.dense(by_hand), rtol=1e-5, atol=1e-6)
  _, y0 = model(model.initial_state(B), XS[:, 0])  # the step path agrees
  np.testing.assert_allclose(y0, ys[:, 0], rtol=1e-5, atol=1e-6)
  with pytest.raises(ValueError, match="embed_from must be >= 0"):
    wrappers.Readout(cell, O, embed_from=-1, rngs=nnx.Rngs(1))


def test_bidirectional_concatenates_forward_and_time_reversed_backward_runs():
  fwd = recurrent.GRU(I, H, rngs=nnx.Rngs(0))
  bwd = recurrent.RNN(I, H - 1, rngs=nnx.Rngs(1))
  model = wrappers.Bidirectional(fwd, bwd)
  ys = model(XS)
  chex.assert_shape(ys, (B, T, 2 * H - 1))
  _, ys_fwd = unroll(fwd, XS)
  _, ys_bwd_flipped = unroll(bwd, XS[:, ::-1])
  np.testing.assert_allclose(ys[..., :H], ys_fwd, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(ys[..., H:], ys_bwd_flipped[:, ::-1], rtol=1e-5, atol=1e-6)


def test_bidirectional_backward_run_starts_at_the_last_valid_step():
  fwd = recurrent.GRU(I, H, rngs=nnx.Rngs(0))
  bwd = recurrent.GRU(I, H, rngs=nnx.Rngs(1))
  model = wrappers.Bidirectional(fwd, bwd)
  mask = jnp.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], jnp.float32)
  ys = model(XS, mask)
  # Example 0 has three valid steps: its backward outputs there equal a backward
  # run over those three steps alone.
  _, short = unroll(bwd, XS[:1, :3][:, ::-1])
  np.testing.assert_allclose(ys[0, :3, H:], short[0, ::-1], rtol=1e-5, atol=1e-6)


def test_unroll_runs_a_stack_one_layer_at_a_time():
  stack = wrappers.Stacked(recurrent.LSTM, I, H, 2, rngs=nnx.Rngs(0))
  model = wrappers.Readout(stack, O, rngs=nnx.Rngs(1))
  out = unroll(model, XS, return_states=True)
  # Layer by layer by hand: each layer over the whole sequence, then the read-out.
  bottom = unroll(stack.layers[0], XS, return_states=True)
  top = unroll(stack.layers[1], bottom.ys, return_states=True)
  np.testing.assert_allclose(out.ys, model.dense(top.ys), rtol=1e-5, atol=1e-6)
  chex.assert_trees_all_close(
    out.state, wrappers.StackedState((bottom.state, top.state)), rtol=1e-5, atol=1e-6
  )
  chex.assert_trees_all_close(
    out.states, wrappers.StackedState((bottom.states, top.states)), rtol=1e-5, atol=1e-6
  )
