"""NeuralStackCell: a controller with a neural stack, queue or deque; shapes, gradients, training."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx
from jax import test_util

from memnets import unroll
from memnets.stacks import NeuralStackCell, NeuralStackState, neural

I, O, M, K = 5, 4, 3, 6
KINDS = ["stack", "queue", "deque"]


def small_cell(kind="stack", **overrides):
  sizes = dict(controller_size=8, memory_width=M, capacity=K)
  return NeuralStackCell(I, O, kind=kind, **{**sizes, **overrides}, rngs=nnx.Rngs(0))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("controller", ["lstm", "feedforward"])
def test_shapes_through_unroll(kind, controller):
  b, t = 2, 5
  cell = small_cell(kind, controller=controller)
  state, ys = unroll(cell, jnp.ones((b, t, I)))
  ends, slots = (2, 2 * K) if kind == "deque" else (1, K)
  assert ys.shape == (b, t, O)
  chex.assert_shape(
    [state.memory.values, state.memory.strengths, state.memory.count, state.reads],
    [(b, slots, M), (b, slots), (b,), (b, ends, M)],
  )
  np.testing.assert_array_equal(state.memory.count, [t, t])
  assert bool(jnp.isfinite(ys).all())


def test_the_controller_reads_the_input_and_the_previous_reads():
  assert small_cell("stack").controller.input_size == I + M
  assert small_cell("deque").controller.input_size == I + 2 * M
  assert small_cell("stack").embed is None


def test_an_embedding_gives_each_one_hot_symbol_a_unit_scale_vector():
  cell = NeuralStackCell(
    128, O, controller_size=8, memory_width=M, capacity=K, embedding_size=64, rngs=nnx.Rngs(0)
  )
  assert cell.controller.input_size == 64 + M
  table = cell.embed(jnp.eye(128))  # [symbols, 64]
  np.testing.assert_allclose(float(table.std()), 1.0, atol=0.05)
  # The controller sees the embedding, not the raw one-hot input.
  state = cell.initial_state(1)
  controls = lambda x: cell._step(state, x)[2][2]  # the pushed values  # noqa: E731
  x = jnp.eye(128)[None, 3]
  assert not np.allclose(controls(x), controls(jnp.eye(128)[None, 4]))


def test_the_pop_bias_sets_the_first_pop_strengths():
  cell = small_cell("deque", pop_bias=-1.0)
  np.testing.assert_array_equal(cell.pop.bias[...], [-1.0, -1.0])
  # At a zero controller output the pop strength is sigmoid(b_u).
  np.testing.assert_allclose(
    jax.nn.sigmoid(cell.pop(jnp.zeros((1, 8)))), jax.nn.sigmoid(-1.0) * jnp.ones((1, 2)), rtol=1e-6
  )
  np.testing.assert_array_equal(small_cell("stack").pop.bias[...], [0.0])


def test_state_is_a_named_tuple_and_starts_empty():
  state = small_cell("deque").initial_state(3)
  assert isinstance(state, NeuralStackState)
  assert isinstance(state.memory, neural.NeuralMemory)
  for leaf in [state.memory.values, state.memory.strengths, state.memory.count, state.reads]:
    assert not np.any(np.asarray(leaf))


@pytest.mark.parametrize(
  "overrides, message",
  [
    (dict(kind="tape"), "kind: unknown 'tape'"),
    (dict(controller="ntm"), "controller: unknown 'ntm'"),
    (dict(capacity=0), "capacity must be >= 1"),
    (dict(memory_width=0), "memory_width must be >= 1"),
    (dict(controller_size=-1), "controller_size must be >= 1"),
    (dict(embedding_size=-1), "embedding_size must be >= 0"),
  ],
)
def test_bad_arguments_are_refused_naming_the_argument(overrides, message):
  with pytest.raises(ValueError, match=message):
    small_cell(**overrides)


def test_capacity_is_required():
  with pytest.raises(TypeError, match="capacity"):
    NeuralStackCell(I, O, rngs=nnx.Rngs(0))


@pytest.mark.parametrize("kind", KINDS)
def test_trace_reports_controls_and_reads_consistent_with_the_states(kind):
  cell = small_cell(kind)
  xs = jax.random.normal(jax.random.key(1), (2, 4, I))
  seen = cell.trace(xs)
  run = unroll(cell, xs, return_states=True)
  ends = 2 if kind == "deque" else 1
  np.testing.assert_allclose(seen["logits"], run.ys, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(seen["reads"], run.states.reads, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(seen["strengths"], run.states.memory.strengths, rtol=1e-5, atol=1e-6)
  chex.assert_shape(
    [seen["push"], seen["pop"], seen["values"]], [(2, 4, ends), (2, 4, ends), (2, 4, ends, M)]
  )
  for gate in [seen["push"], seen["pop"]]:
    assert bool(jnp.all((gate > 0) & (gate < 1)))


def test_a_pushed_value_is_read_back_by_the_stack():
  """One step into an empty stack reads d v: the push strength times the pushed vector."""
  cell = small_cell("stack")
  x = jax.random.normal(jax.random.key(2), (2, I))
  state, _ = cell(cell.initial_state(2), x)
  seen = cell.trace(x[:, None])
  expected = seen["push"][:, 0, 0, None] * seen["values"][:, 0, 0]
  np.testing.assert_allclose(state.reads[:, 0], expected, rtol=1e-5, atol=1e-6)


# The deque reads and writes at both ends; each memory's own gradients are
# checked against finite differences in tests/stacks/neural_test.py.
@pytest.mark.parametrize("kind", ["deque"])
def test_two_steps_gradients_match_finite_differences(kind):
  with jax.enable_x64(True):
    cell = NeuralStackCell(3, 2, kind=kind, controller_size=4, memory_width=2, capacity=3,
                           embedding_size=2, rngs=nnx.Rngs(0))  # fmt: skip
    graphdef, params = nnx.split(cell, nnx.Param)
    params = jax.tree.map(lambda p: p.astype(jnp.float64), params)
    x = jax.random.normal(jax.random.key(1), (2, 3), jnp.float64)

    def as_float64(a):
      return a.astype(jnp.float64) if jnp.issubdtype(a.dtype, jnp.floating) else a

    def loss(params, x):
      c = nnx.merge(graphdef, params)
      state = jax.tree.map(as_float64, c.initial_state(2))
      for _ in range(3):
        state, y = c(state, x)
      return jnp.sum(y**2) + jnp.sum(state.reads**2) + jnp.sum(state.memory.strengths)

    test_util.check_grads(jax.jit(loss), (params, x), order=1, modes=["rev"], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("inputs", ["zeros", "huge"])
def test_gradients_are_finite_past_a_full_memory(kind, inputs):
  """Twice as many steps as the capacity; saturated gates with huge inputs."""
  cell = small_cell(kind, capacity=3)
  graphdef, params = nnx.split(cell, nnx.Param)
  xs = jnp.zeros((2, 6, I)) if inputs == "zeros" else 1e4 * jnp.ones((2, 6, I))

  def loss(params):
    return jnp.sum(unroll(nnx.merge(graphdef, params), xs)[1] ** 2)

  value, grads = jax.jit(jax.value_and_grad(loss))(params)
  chex.assert_tree_all_finite((value, grads))


def test_a_few_adam_steps_reduce_the_loss_of_echoing_the_previous_input():
  cell = small_cell("stack", controller_size=16)
  xs = jax.random.normal(jax.random.key(3), (8, 6, I))
  targets = jnp.concatenate([jnp.zeros_like(xs[:, :1, :O]), xs[:, :-1, :O]], axis=1)
  graphdef, params = nnx.split(cell, nnx.Param)
  optimizer = optax.adam(3e-2)
  opt_state = optimizer.init(params)

  def loss(params):
    return jnp.mean((unroll(nnx.merge(graphdef, params), xs)[1] - targets) ** 2)

  @jax.jit
  def train_step(params, opt_state):
    value, grads = jax.value_and_grad(loss)(params)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, value

  losses = []
  for _ in range(30):
    params, opt_state, value = train_step(params, opt_state)
    losses.append(float(value))
  assert np.isfinite(losses).all() and losses[-1] < 0.5 * losses[0]
