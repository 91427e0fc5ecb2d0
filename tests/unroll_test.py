"""`unroll`: one lax.scan over a cell equals a Python loop over its steps."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from memnets import NTMCell, cells
from memnets.unroll import unroll

B, T, I, O = 3, 6, 5, 4


def python_loop(cell, xs, mask=None):
  state = cell.initial_state(xs.shape[0])
  ys = []
  for t in range(xs.shape[1]):
    new_state, y = cell(state, xs[:, t])
    if mask is not None:
      keep = mask[:, t].astype(bool)
      new_state = jax.tree.map(
        lambda n, o, keep=keep: jnp.where(keep.reshape((-1,) + (1,) * (n.ndim - 1)), n, o),
        new_state,
        state,
      )
    state = new_state
    ys.append(y)
  return state, jnp.stack(ys, axis=1)


def make_cell(name):
  rngs = nnx.Rngs(0)
  if name == "ntm":
    return NTMCell(I, O, controller_size=8, memory_size=7, word_size=3, rngs=rngs)
  return cells.build(name, I, O, hidden_size=8, num_layers=2, rngs=rngs)


XS = jax.random.normal(jax.random.key(1), (B, T, I))


@pytest.mark.parametrize("name", ["ntm", "lstm", "gru", "rnn"])
@pytest.mark.parametrize("remat", [False, True])
def test_unroll_equals_python_loop(name, remat):
  cell = make_cell(name)
  state, ys = unroll(cell, XS, remat=remat)
  ref_state, ref_ys = python_loop(cell, XS)
  np.testing.assert_allclose(ys, ref_ys, rtol=1e-5, atol=1e-6)
  chex.assert_trees_all_close(state, ref_state, rtol=1e-5, atol=1e-6)


def test_jitted_and_unjitted_agree():
  cell = make_cell("ntm")
  graphdef, params = nnx.split(cell, nnx.Param)

  def run(params, xs):
    return unroll(nnx.merge(graphdef, params), xs)[1]

  np.testing.assert_allclose(jax.jit(run)(params, XS), run(params, XS), rtol=1e-5, atol=1e-6)


def test_mask_freezes_the_state_on_padded_steps():
  cell = make_cell("lstm")
  mask = jnp.array([[1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0], [1, 0, 1, 0, 1, 0]], jnp.float32)
  state, ys = unroll(cell, XS, mask=mask)
  ref_state, ref_ys = python_loop(cell, XS, mask)
  chex.assert_trees_all_close(state, ref_state, rtol=1e-5, atol=1e-6)
  # Example 1 stops after two steps: its final state is the state after step 2.
  two_steps, _ = unroll(cell, XS[1:2, :2])
  chex.assert_trees_all_close(jax.tree.map(lambda x: x[1:2], state), two_steps, rtol=1e-5)


def test_reverse_runs_from_the_end_and_keeps_alignment():
  cell = make_cell("gru")
  _, ys_rev = unroll(cell, XS, reverse=True)
  _, ys_flipped = unroll(cell, XS[:, ::-1])
  np.testing.assert_allclose(ys_rev, ys_flipped[:, ::-1], rtol=1e-5, atol=1e-6)


def test_return_states_gives_every_steps_weightings_and_memory():
  cell = make_cell("ntm")
  out = unroll(cell, XS, return_states=True)
  chex.assert_shape(out.ys, (B, T, O))
  chex.assert_shape(out.states.memory, (B, T, 7, 3))
  chex.assert_shape(out.states.read_weights, (B, T, 1, 7))
  chex.assert_trees_all_close(jax.tree.map(lambda x: x[:, -1], out.states), out.state)


def test_gradients_with_and_without_remat_agree():
  cell = make_cell("ntm")
  graphdef, params = nnx.split(cell, nnx.Param)

  def loss(params, remat):
    return jnp.sum(unroll(nnx.merge(graphdef, params), XS, remat=remat)[1] ** 2)

  grad = jax.jit(jax.grad(loss), static_argnums=1)
  g1 = grad(params, False)
  g2 = grad(params, True)
  chex.assert_trees_all_close(g1, g2, rtol=1e-4, atol=1e-6)


def test_rejects_inputs_without_a_time_axis():
  with pytest.raises(ValueError, match=r"\[B, T, I\]"):
    unroll(make_cell("rnn"), XS[:, 0])
