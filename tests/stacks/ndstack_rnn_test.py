"""The NDStack-RNN (DuSell & Chiang 2020; Delétang et al. 2023): Lang's algorithm and the cell.

The forward weights α are checked against a brute-force sum over every run
of the PDA (explicit stacks, for T ≤ 5), and, with one-hot transitions,
against a Python list used as a stack.
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
from memnets.stacks import ndstack_rnn
from memnets.stacks.ndstack_rnn import NDStackRNNCell, NDStackRNNState, Transitions

I, O = 4, 3


@pytest.fixture
def x64():
  with jax.enable_x64(True):
    yield


def brute_force_alphas(deltas, q, s):
  """α[t] for t = 1..T by enumerating explicit stacks: each run's weight is the product of its δ_t.

  A stack is a tuple, ⊥ (symbol 0) at the bottom. Replace and pop act on a
  symbol above ⊥ only, and a run that pops the last symbol above ⊥ ends.
  """
  runs = {(0, (0,)): 1.0}  # (state, stack) -> summed weight of the runs that reach it
  alphas = []
  for delta in deltas:
    new = {}
    for (state, stack), weight in runs.items():
      top = stack[-1]
      moves = []
      for r in range(q):
        for y in range(s):
          moves.append(((r, (*stack, y)), delta.push[state, top, r, y]))
          if len(stack) >= 2:
            moves.append(((r, (*stack[:-1], y)), delta.replace[state, top, r, y]))
        if len(stack) >= 3:
          moves.append(((r, stack[:-1]), delta.pop[state, top, r]))
      for config, w in moves:
        new[config] = new.get(config, 0.0) + weight * w
    runs = new
    alpha = np.zeros((q, s))
    for (state, stack), weight in runs.items():
      alpha[state, stack[-1]] += weight
    alphas.append(alpha)
  return alphas


def random_transitions(rng, q, s):
  return Transitions(
    rng.uniform(size=(q, s, q, s)), rng.uniform(size=(q, s, q, s)), rng.uniform(size=(q, s, q))
  )


def run_stack(transitions_per_step, q, s, length=None, dtype=jnp.float64):
  """`(gamma, alpha, [α[1], ..., α[T]])` of `ndstack_step` over the given δ_t."""
  gamma, alpha = ndstack_rnn.initial_stack(length or len(transitions_per_step), q, s, dtype)
  alphas = []
  for t, delta in enumerate(transitions_per_step, start=1):
    gamma, alpha, alpha_t = ndstack_rnn.ndstack_step(gamma, alpha, t, delta)
    alphas.append(alpha_t)
  return gamma, alpha, alphas


@pytest.mark.usefixtures("x64")
@pytest.mark.parametrize("q,s,t", [(1, 2, 5), (2, 2, 5), (2, 3, 4)])
def test_lang_forward_weights_equal_the_sum_over_every_run_of_the_pda(q, s, t):
  rng = np.random.default_rng(q * 10 + s)
  deltas = [random_transitions(rng, q, s) for _ in range(t)]
  _, alpha, alphas = run_stack(deltas, q, s)
  expected = brute_force_alphas(deltas, q, s)
  for step, (got, want) in enumerate(zip(alphas, expected, strict=True), start=1):
    np.testing.assert_allclose(got, want, rtol=1e-12, err_msg=f"α[{step}]")
    if step < t:
      np.testing.assert_allclose(alpha[step], want, rtol=1e-12)  # stored for later steps
    top = want.sum(0)  # the reading: the distribution of the top symbol
    reading = ndstack_rnn.stack_reading(got, epsilon=1e-3)
    np.testing.assert_allclose(reading, top / (top.sum() + 1e-3), rtol=1e-12)
    with_states = ndstack_rnn.stack_reading(got, read_states=True, epsilon=1e-3)
    np.testing.assert_allclose(with_states, want.reshape(-1) / (want.sum() + 1e-3), rtol=1e-12)


@pytest.mark.usefixtures("x64")
def test_gamma_holds_gamma_i_to_k_for_i_before_k_up_to_the_current_step_only():
  rng = np.random.default_rng(0)
  q, s, t, length = 2, 2, 4, 7
  gamma, alpha, _ = run_stack([random_transitions(rng, q, s) for _ in range(t)], q, s, length)
  i, k = np.indices((length, length))
  nonzero = np.abs(np.asarray(gamma)).reshape(length, length, -1).sum(-1) > 0
  assert not np.any(nonzero & ((i >= k) | (k > t)))  # strictly upper triangular, columns ≤ t
  assert np.all(nonzero[np.arange(t), np.arange(1, t + 1)])  # the pushes γ[t−1→t]
  assert not np.any(np.asarray(alpha)[t + 1 :])


def one_hot_transitions(q, s, kind, r, y=0):
  """From every (state, top): one transition of `kind` to state r (and symbol y), weight 1."""
  push, replace, pop = np.zeros((q, s, q, s)), np.zeros((q, s, q, s)), np.zeros((q, s, q))
  if kind == "push":
    push[..., r, y] = 1.0
  elif kind == "replace":
    replace[..., r, y] = 1.0
  else:
    pop[..., r] = 1.0
  return Transitions(push, replace, pop)


@pytest.mark.parametrize("seed", range(3))
def test_one_hot_transitions_are_a_discrete_stack_with_a_state(seed):
  rng = np.random.default_rng(seed)
  q, s, t = 2, 3, 24
  gamma, alpha = ndstack_rnn.initial_stack(t, q, s)
  state, pylist = 0, [0]  # pylist[-1] is the top, pylist[0] the bottom ⊥
  for step in range(1, t + 1):
    kinds = (
      ["push"] + (["replace"] if len(pylist) >= 2 else []) + (["pop"] if len(pylist) >= 3 else [])
    )
    kind, r, y = str(rng.choice(kinds)), int(rng.integers(q)), int(rng.integers(s))
    gamma, alpha, alpha_t = ndstack_rnn.ndstack_step(
      gamma, alpha, step, one_hot_transitions(q, s, kind, r, y)
    )
    state = r
    if kind == "push":
      pylist.append(y)
    elif kind == "replace":
      pylist[-1] = y
    else:
      pylist.pop()
    expected = np.zeros((q, s))
    expected[state, pylist[-1]] = 1.0
    np.testing.assert_array_equal(alpha_t, expected, err_msg=f"step {step}: {kind}")
    reading = ndstack_rnn.stack_reading(alpha_t, epsilon=0.5)
    np.testing.assert_allclose(reading, np.eye(s)[pylist[-1]] / 1.5, rtol=1e-6)


def test_a_pop_to_the_bottom_ends_the_run_and_the_reading_is_zero():
  q, s = 2, 2
  steps = [one_hot_transitions(q, s, "push", 0, 1), one_hot_transitions(q, s, "pop", 0)]
  _, _, alphas = run_stack(steps, q, s, dtype=jnp.float32)
  np.testing.assert_array_equal(alphas[0], [[0.0, 1.0], [0.0, 0.0]])
  np.testing.assert_array_equal(alphas[1], np.zeros((q, s)))
  np.testing.assert_array_equal(ndstack_rnn.stack_reading(alphas[1]), np.zeros(s))


def test_the_global_softmax_sums_to_one_over_all_transitions_the_per_state_symbol_one_per_row():
  q, s = 2, 3
  logits = jax.random.normal(jax.random.key(0), (ndstack_rnn.num_transition_logits(q, s),))
  glob = ndstack_rnn.transition_weights(logits, q, s, ndstack_rnn.GLOBAL)
  chex.assert_shape((glob.push, glob.replace, glob.pop), [(q, s, q, s), (q, s, q, s), (q, s, q)])

  def leaving(t):  # [Q, S]: the weight of the transitions leaving each (q, x)
    return t.push.sum((2, 3)) + t.replace.sum((2, 3)) + t.pop.sum(2)

  np.testing.assert_allclose(leaving(glob).sum(), 1.0, rtol=1e-6)
  per = ndstack_rnn.transition_weights(logits, q, s, ndstack_rnn.PER_STATE_SYMBOL)
  np.testing.assert_allclose(leaving(per), np.ones((q, s)), rtol=1e-6)
  with pytest.raises(ValueError, match="softmax: unknown 'other'"):
    ndstack_rnn.transition_weights(logits, q, s, "other")


# The global softmax (Delétang et al.'s); the other differs only in the
# transition weights, whose values are checked in this file.
@pytest.mark.usefixtures("x64")
@pytest.mark.parametrize("softmax", [ndstack_rnn.GLOBAL])
def test_readings_gradients_match_finite_differences(softmax):
  q, s, t = 2, 2, 4
  logits = np.random.default_rng(1).normal(size=(t, ndstack_rnn.num_transition_logits(q, s)))
  weights = np.random.default_rng(2).normal(size=(t, s))

  def readings(logits):
    deltas = [ndstack_rnn.transition_weights(row, q, s, softmax) for row in logits]
    _, _, alphas = run_stack(deltas, q, s)
    return sum(w @ ndstack_rnn.stack_reading(a) for w, a in zip(weights, alphas, strict=True))

  test_util.check_grads(readings, (logits,), order=1, modes=["fwd", "rev"])


@pytest.mark.parametrize("kind", ["uniform", "push", "replace", "pop"])
def test_gradients_are_finite_at_uniform_and_one_hot_transitions(kind):
  q, s, t = 2, 2, 5
  if kind == "uniform":
    size = ndstack_rnn.num_transition_logits(q, s)
    delta = Transitions(
      jnp.full((q, s, q, s), 1 / size),
      jnp.full((q, s, q, s), 1 / size),
      jnp.full((q, s, q), 1 / size),
    )
  else:
    delta = jax.tree.map(jnp.asarray, one_hot_transitions(q, s, kind, 1, 1))

  weights = jax.random.normal(jax.random.key(0), (t, q * s))

  def loss(delta):  # linear in the readings: a dead run (α = 0) still passes gradients
    _, _, alphas = run_stack([delta] * t, q, s, dtype=jnp.float32)
    readings = [ndstack_rnn.stack_reading(a, read_states=True) for a in alphas]
    return sum(w @ r for w, r in zip(weights, readings, strict=True))

  value, grads = jax.value_and_grad(loss)(delta)
  chex.assert_tree_all_finite((value, grads))
  assert any(bool(jnp.any(g != 0)) for g in jax.tree.leaves(grads))


def small_cell(**overrides):
  sizes = dict(hidden_size=8, stack_size=3)
  return NDStackRNNCell(I, O, **{**sizes, **overrides}, rngs=nnx.Rngs(0))


@pytest.mark.parametrize(
  "b,t,q,s,read_states,controller",
  [(1, 1, 1, 1, False, "rnn"), (2, 5, 2, 2, False, "rnn"), (3, 4, 2, 3, True, "lstm")],
)
def test_shapes_through_unroll(b, t, q, s, read_states, controller):
  cell = small_cell(stack_states=q, stack_symbols=s, read_states=read_states, controller=controller)
  state, ys = unroll(cell, jnp.ones((b, t, I)))
  assert isinstance(state, NDStackRNNState)
  assert ys.shape == (b, t, O)
  p = max(3, t)
  chex.assert_shape([state.gamma, state.alpha], [(b, p, p, q, s, q, s), (b, p, q, s)])
  chex.assert_shape(state.reading, (b, q * s if read_states else s))
  np.testing.assert_array_equal(state.step, np.full(b, t))
  assert cell.controller.input_size == I + (q * s if read_states else s)
  chex.assert_tree_all_finite((state, ys))


def test_a_run_of_t_steps_allocates_t_and_equals_a_stack_sized_t_from_the_start():
  t = 9
  xs = jax.random.normal(jax.random.key(1), (2, t, I))
  small, big = small_cell(stack_size=2), small_cell(stack_size=t)
  assert small.initial_state(2).gamma.shape[1:3] == (2, 2)
  state, ys = unroll(small, xs)
  assert state.gamma.shape[1:3] == (t, t) and state.alpha.shape[1] == t
  np.testing.assert_allclose(ys, unroll(big, xs)[1], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("softmax", ndstack_rnn.TRANSITION_SOFTMAXES)
def test_the_reading_starts_at_zero_and_a_cell_that_always_pushes_reads_its_symbol(softmax):
  """Per (state, symbol), every row can push for sure; under the global softmax the Q·S rows
  share one distribution, so each pushes with weight 1/(QS) and α's mass falls by QS a step."""
  q, s, t = 2, 3, 5
  cell = small_cell(stack_states=q, stack_symbols=s, transition_softmax=softmax)
  assert not np.any(np.asarray(cell.initial_state(2).reading))
  logits = np.zeros((q * s, 2 * q * s + q))
  logits[:, 1 * s + 2] = 1e4  # from every (q, x): push symbol 2 going to state 1
  cell.transitions.kernel[...] = jnp.zeros_like(cell.transitions.kernel[...])
  cell.transitions.bias[...] = jnp.asarray(logits.reshape(-1))
  run = unroll(cell, jax.random.normal(jax.random.key(0), (2, t, I)), return_states=True)
  mass = (
    np.ones(t) if softmax == ndstack_rnn.PER_STATE_SYMBOL else (1 / (q * s)) ** np.arange(1, t + 1)
  )
  expected = (mass / (mass + ndstack_rnn.READ_EPSILON))[:, None] * np.eye(s)[2]
  np.testing.assert_allclose(run.states.reading, np.broadcast_to(expected, (2, t, s)), rtol=1e-5)
  np.testing.assert_allclose(run.states.alpha[:, -1, -1, 1, 2], mass[-2], rtol=1e-5)


def test_masked_steps_keep_each_examples_stack_and_step_count():
  cell = small_cell()
  xs = jax.random.normal(jax.random.key(2), (2, 6, I))
  mask = jnp.array([[1] * 6, [1] * 4 + [0] * 2])
  state, _ = unroll(cell, xs, mask=mask)
  np.testing.assert_array_equal(state.step, [6, 4])
  short, _ = unroll(cell, xs[1:, :4], state=jax.tree.map(lambda a: a[1:], cell.initial_state(2, 6)))
  for got, want in zip(jax.tree.leaves(state), jax.tree.leaves(short), strict=True):
    np.testing.assert_allclose(got[1:], want, rtol=1e-5, atol=1e-6)


def test_three_cell_steps_gradients_match_finite_differences():
  with jax.enable_x64(True):
    cell = small_cell(hidden_size=4, stack_size=3)
    cell.controller.cell.dense_i.dtype = cell.controller.cell.dense_h.dtype = None  # float64
    graphdef, params = nnx.split(cell, nnx.Param)
    params = jax.tree.map(lambda p: p.astype(jnp.float64), params)
    x = jax.random.normal(jax.random.key(1), (2, I), jnp.float64)

    def loss(params, x):
      c = nnx.merge(graphdef, params)
      state = jax.tree.map(
        lambda a: a.astype(jnp.float64) if a.dtype == jnp.float32 else a, c.initial_state(2)
      )
      for _ in range(3):
        state, y = c(state, x)
      return jnp.sum(y**2) + jnp.sum(state.reading**2) + jnp.sum(state.alpha**2)

    test_util.check_grads(jax.jit(loss), (params, x), order=1, modes=["rev"], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("inputs", gradients.INPUTS)
def test_gradients_are_finite_from_an_empty_stack(inputs):
  """Zero inputs; huge inputs saturate the tanh and make the softmax one-hot."""
  gradients.assert_finite_from_the_start(small_cell(), inputs)


@pytest.mark.parametrize(
  "overrides, message",
  [
    (dict(stack_states=0), "stack_states must be >= 1"),
    (dict(stack_symbols=0), "stack_symbols must be >= 1"),
    (dict(stack_size=0), "stack_size must be >= 1"),
    (dict(hidden_size=-1), "hidden_size must be >= 1"),
    (dict(transition_softmax="local"), "transition_softmax: unknown 'local'"),
    (dict(read_epsilon=0.0), "read_epsilon must be > 0"),
    (dict(controller="tape"), "controller: unknown 'tape'"),
  ],
)
def test_bad_configuration_names_the_argument(overrides, message):
  with pytest.raises(ValueError, match=message):
    small_cell(**overrides)
