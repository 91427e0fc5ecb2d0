"""The Stack-RNN (Joulin & Mikolov 2015; Delétang et al. 2023): the stack update and the cell.

The stack update is checked against a float64 numpy loop over the cells and,
with one-hot actions, against a Python list used as a stack.
"""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from helpers import gradients
from jax import test_util

from memnets import unroll
from memnets.stacks import stack_rnn
from memnets.stacks.stack_rnn import NO_OP, POP, PUSH, StackRNNCell, StackRNNState

I, O, N, M = 5, 4, 6, 3


@pytest.fixture
def x64():
  with jax.enable_x64(True):
    yield


def np_stack_step(stack, actions, value):
  """s[i] = a_push · (v if i = 0 else s[i−1]) + a_pop · (s[i+1] if i < N−1 else 0) + a_noop · s[i]."""
  n = stack.shape[0]
  new = np.zeros_like(stack)
  for i in range(n):
    pushed = value if i == 0 else stack[i - 1]
    popped = stack[i + 1] if i + 1 < n else np.zeros_like(value)
    new[i] = actions[PUSH] * pushed + actions[POP] * popped + actions[NO_OP] * stack[i]
  return new


def soft_actions(rng, size=()):
  z = np.exp(rng.normal(size=(*size, 3)))
  return z / z.sum(-1, keepdims=True)


def small_cell(**overrides):
  sizes = dict(stack_size=N, hidden_size=8, stack_cell_size=M)
  return StackRNNCell(I, O, **{**sizes, **overrides}, rngs=nnx.Rngs(0))


@pytest.mark.usefixtures("x64")
@pytest.mark.parametrize("seed", range(3))
def test_stack_step_is_the_action_weighted_sum_of_push_pop_and_no_op(seed):
  rng = np.random.default_rng(seed)
  stack, actions, value = rng.normal(size=(N, M)), soft_actions(rng), rng.normal(size=M)
  got = stack_rnn.stack_step(stack, actions, value)
  np.testing.assert_allclose(got, np_stack_step(stack, actions, value), rtol=1e-12, atol=1e-12)


@pytest.mark.usefixtures("x64")
@pytest.mark.parametrize("seed", range(3))
def test_one_hot_actions_are_a_discrete_stack_that_drops_its_bottom_when_full(seed):
  rng = np.random.default_rng(seed)
  stack, pylist = jnp.zeros((N, M)), []  # pylist[0] is the top
  for _ in range(40):
    action = int(rng.choice(3, p=[0.5, 0.3, 0.2]))
    value = rng.normal(size=M)
    stack = stack_rnn.stack_step(stack, np.eye(3)[action], value)
    if action == PUSH:
      pylist = [value, *pylist][:N]
    elif action == POP:
      pylist = pylist[1:]
    padded = np.zeros((N, M))
    for i, cell in enumerate(pylist):
      padded[i] = cell
    np.testing.assert_array_equal(stack, padded)


def test_a_stack_of_t_cells_keeps_every_push_of_t_steps():
  t = 7
  values = jnp.arange(1.0, t + 2)[:, None] * jnp.ones(M)
  stack = jnp.zeros((t, M))
  for value in values[:t]:
    stack = stack_rnn.stack_step(stack, jnp.eye(3)[PUSH], value)
  np.testing.assert_array_equal(stack, values[:t][::-1])  # the first push at the bottom
  stack = stack_rnn.stack_step(stack, jnp.eye(3)[PUSH], values[t])
  np.testing.assert_array_equal(stack[-1], values[1])  # one push more: the first falls off


def test_popping_an_empty_stack_leaves_it_empty():
  stack = stack_rnn.stack_step(jnp.zeros((N, M)), jnp.eye(3)[POP], jnp.ones(M))
  np.testing.assert_array_equal(stack, jnp.zeros((N, M)))


@pytest.mark.usefixtures("x64")
def test_stack_step_gradients_match_finite_differences():
  rng = np.random.default_rng(0)
  args = (rng.normal(size=(N, M)), soft_actions(rng), rng.normal(size=M))
  test_util.check_grads(stack_rnn.stack_step, args, order=2, modes=["fwd", "rev"])


@pytest.mark.parametrize("action", [PUSH, POP, NO_OP])
def test_gradients_are_finite_and_exact_at_an_empty_stack_zero_push_and_one_hot_actions(action):
  args = (jnp.zeros((N, M)), jnp.eye(3)[action], jnp.zeros(M))
  jac_stack, jac_actions, jac_value = jax.jacobian(stack_rnn.stack_step, argnums=(0, 1, 2))(*args)
  chex.assert_tree_all_finite((jac_stack, jac_actions, jac_value))
  # d top / d push value is a_push · identity: the identity for a push, zero otherwise.
  np.testing.assert_array_equal(jac_value[0], np.eye(M) * (action == PUSH))


@pytest.mark.parametrize("b,t,n,m,k", [(1, 1, 1, 1, 1), (2, 5, 6, 3, 1), (3, 4, 8, 2, 3)])
@pytest.mark.parametrize("controller", ["rnn", "lstm"])
def test_shapes_through_unroll(b, t, n, m, k, controller):
  cell = StackRNNCell(I, O, stack_size=n, hidden_size=8, stack_cell_size=m, num_stacks=k,
                      controller=controller, rngs=nnx.Rngs(0))  # fmt: skip
  state, ys = unroll(cell, jnp.ones((b, t, I)))
  assert ys.shape == (b, t, O)
  chex.assert_shape(state.stacks, (b, k, n, m))
  assert bool(jnp.isfinite(ys).all())


def test_state_is_a_named_tuple_and_starts_with_empty_stacks():
  state = small_cell(num_stacks=2).initial_state(3)
  assert isinstance(state, StackRNNState)
  chex.assert_shape(state.stacks, (3, 2, N, M))
  assert not np.any(np.asarray(state.stacks))


def test_the_controller_reads_the_input_and_the_top_of_every_stack_only():
  cell = small_cell(num_stacks=2)
  assert cell.controller.input_size == I + 2 * M
  x = jnp.ones((1, I))
  state = cell.initial_state(1)
  _, y = cell(state, x)
  below_top = state._replace(stacks=state.stacks.at[:, :, 1:].set(5.0))
  np.testing.assert_array_equal(cell(below_top, x)[1], y)
  top = state._replace(stacks=state.stacks.at[:, 1, 0].set(5.0))
  assert not np.allclose(cell(top, x)[1], y)


def test_a_cell_that_always_pushes_keeps_every_steps_push_on_a_stack_of_t_cells():
  t = 6
  cell = small_cell(stack_size=t)
  cell.actions.kernel[...] = jnp.zeros_like(cell.actions.kernel[...])
  cell.actions.bias[...] = jnp.array([1e4, 0.0, 0.0])  # softmax: exactly push
  run = unroll(cell, jax.random.normal(jax.random.key(0), (2, t, I)), return_states=True)
  stacks = run.states.stacks[:, :, 0]  # [B, T, N, M]
  for step in range(1, t):
    np.testing.assert_array_equal(stacks[:, step, 1:], stacks[:, step - 1, :-1])
  np.testing.assert_array_equal(stacks[:, -1, -1], stacks[:, 0, 0])  # the first push, at the bottom
  assert np.all(np.abs(stacks[:, 0, 0]) > 0)


# The paper's controller; the other controllers are checked in tests/recurrent.
@pytest.mark.parametrize("controller", ["rnn"])
def test_three_cell_steps_gradients_match_finite_differences(controller):
  with jax.enable_x64(True):
    cell = small_cell(num_stacks=2, controller=controller, stack_size=4, hidden_size=4)
    if controller == "rnn":  # Flax's SimpleCell computes in float32 unless told otherwise
      cell.controller.cell.dense_i.dtype = cell.controller.cell.dense_h.dtype = None
    graphdef, params = nnx.split(cell, nnx.Param)
    params = jax.tree.map(lambda p: p.astype(jnp.float64), params)
    x = jax.random.normal(jax.random.key(1), (2, I), jnp.float64)

    def loss(params, x):
      c = nnx.merge(graphdef, params)
      state = jax.tree.map(lambda a: a.astype(jnp.float64), c.initial_state(2))
      for _ in range(3):
        state, y = c(state, x)
      return jnp.sum(y**2) + jnp.sum(state.stacks**2)

    test_util.check_grads(jax.jit(loss), (params, x), order=1, modes=["rev"], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("inputs", gradients.INPUTS)
def test_gradients_are_finite_from_empty_stacks(inputs):
  """Zero stacks at the start; with huge inputs, saturated tanh and one-hot softmax actions."""
  gradients.assert_finite_from_the_start(small_cell(), inputs)


@pytest.mark.parametrize(
  "overrides, message",
  [
    (dict(stack_size=0), "stack_size must be >= 1"),
    (dict(stack_cell_size=0), "stack_cell_size must be >= 1"),
    (dict(num_stacks=0), "num_stacks must be >= 1"),
    (dict(hidden_size=-1), "hidden_size must be >= 1"),
    (dict(controller="tape"), "controller: unknown 'tape'"),
  ],
)
def test_bad_configuration_names_the_argument(overrides, message):
  with pytest.raises(ValueError, match=message):
    small_cell(**overrides)


def test_the_stack_size_has_no_default_the_caller_sizes_it():
  with pytest.raises(TypeError, match="stack_size"):
    StackRNNCell(I, O, rngs=nnx.Rngs(0))
