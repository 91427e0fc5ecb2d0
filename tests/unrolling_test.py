"""`unroll`: one lax.scan over a cell equals a Python loop over its steps.

Stacks (and their read-out) are run layer by layer, and an LSTM's input
projection is applied to all steps before its scan; both must give the results
of the plain per-step scan, which `PerStep` forces.
"""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from memnets import NTMCell, models
from memnets.recurrent import cells as recurrent
from memnets.unrolling import unroll

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
  return models.build(name, I, O, hidden_size=8, num_layers=2, rngs=rngs)


XS = jax.random.normal(jax.random.key(1), (B, T, I))
MASK = jnp.array([[1, 1, 1, 1, 1, 1], [1, 1, 0, 0, 0, 0], [1, 0, 1, 0, 1, 0]], jnp.float32)
TOL = dict(rtol=1e-5, atol=1e-6)


class PerStep(nnx.Module):
  """Hides how `cell` is built, so `unroll` scans its whole step: the plain per-step path."""

  def __init__(self, cell):
    self.cell = cell

  def initial_state(self, batch_size):
    return self.cell.initial_state(batch_size)

  def __call__(self, state, x):
    return self.cell(state, x)


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
  chex.assert_shape(out.states.memory, (B, T, 3, 7))  # word-major [M, N]
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


LAYERWISE_CASES = [
  ("lstm", {}),
  ("lstm", {"mask": MASK}),
  ("lstm", {"mask": MASK, "reverse": True}),
  ("lstm", {"remat": True, "reverse": True}),
  ("lstm", {"scan_unroll": 2}),
  ("gru", {"mask": MASK, "reverse": True}),
]


@pytest.mark.parametrize(
  ("name", "options"),
  LAYERWISE_CASES,
  ids=lambda c: c if isinstance(c, str) else "-".join(c) or "plain",
)
def test_layer_by_layer_equals_the_per_step_scan(name, options):
  cell = make_cell(name)  # Readout(Stacked(2 layers))

  @jax.jit
  def both(xs):
    return unroll(cell, xs, return_states=True, **options), unroll(cell, xs, **options)

  out, (state, ys) = both(XS)
  ref = jax.jit(lambda xs: unroll(PerStep(cell), xs, return_states=True, **options))(XS)
  np.testing.assert_allclose(out.ys, ref.ys, **TOL)
  chex.assert_trees_all_close(out.state, ref.state, **TOL)
  assert jax.tree.structure(out.states) == jax.tree.structure(ref.states)
  chex.assert_trees_all_close(out.states, ref.states, **TOL)
  np.testing.assert_allclose(ys, ref.ys, **TOL)
  chex.assert_trees_all_close(state, ref.state, **TOL)


def test_return_states_of_a_stack_holds_every_layers_states():
  out = unroll(make_cell("lstm"), XS, return_states=True)
  assert len(out.states.layers) == 2
  chex.assert_shape(out.states.layers[1].hidden, (B, T, 8))
  chex.assert_trees_all_close(jax.tree.map(lambda x: x[:, -1], out.states), out.state)


def test_layer_by_layer_continues_from_a_given_state():
  cell = make_cell("lstm")
  state, _ = unroll(cell, XS[:, :3])
  final, ys = unroll(cell, XS[:, 3:], state)
  ref_final, ref_ys = unroll(PerStep(cell), XS[:, 3:], state)
  np.testing.assert_allclose(ys, ref_ys, **TOL)
  chex.assert_trees_all_close(final, ref_final, **TOL)


def test_layer_by_layer_gradients_equal_the_per_step_scans():
  cell = make_cell("lstm")
  graphdef, params = nnx.split(cell, nnx.Param)

  def loss(params, xs, per_step):
    model = nnx.merge(graphdef, params)
    model = PerStep(model) if per_step else model
    total = 0.0
    for reverse in (False, True):
      state, ys = unroll(model, xs, mask=MASK, reverse=reverse)
      total += jnp.sum(ys**2) + jnp.sum(state.layers[0].cell ** 2)
    return total

  grad = jax.jit(jax.grad(loss, argnums=(0, 1)), static_argnums=2)
  chex.assert_trees_all_close(grad(params, XS, False), grad(params, XS, True), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("options", [{}, {"mask": MASK, "reverse": True}])
def test_lstm_input_projection_before_the_scan_changes_nothing(options):
  cell = recurrent.LSTM(I, 8, rngs=nnx.Rngs(0))
  out = unroll(cell, XS, return_states=True, **options)
  ref = unroll(PerStep(cell), XS, return_states=True, **options)
  np.testing.assert_allclose(out.ys, ref.ys, **TOL)
  chex.assert_trees_all_close((out.state, out.states), (ref.state, ref.states), **TOL)
  # The projection is taken off a copy of the cell: the cell itself still projects.
  assert isinstance(cell.cell.dense_i, nnx.Linear)
  _, y_Bx8 = cell(cell.initial_state(B), XS[:, 0])
  np.testing.assert_allclose(y_Bx8, unroll(PerStep(cell), XS[:, :1])[1][:, 0], **TOL)


def test_rejects_inputs_without_a_time_axis():
  with pytest.raises(ValueError, match=r"\[B, T, I\]"):
    unroll(make_cell("rnn"), XS[:, 0])
