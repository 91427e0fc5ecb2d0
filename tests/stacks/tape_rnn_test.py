"""The Tape-RNN (Delétang et al. 2023): the tape update, the input-length count and the cell.

The tape update is checked against a float64 numpy loop over the cells and,
with one-hot actions, against a Python list with a head index: the cell's
head-relative tape is that list read from the head onwards, round the circle.
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
from memnets.stacks import tape_rnn
from memnets.stacks.tape_rnn import (
  JUMP_LEFT,
  JUMP_RIGHT,
  WRITE_LEFT,
  WRITE_RIGHT,
  WRITE_STAY,
  TapeRNNCell,
  TapeRNNState,
)

I, O, N, M = 5, 4, 7, 3
# Where the head-relative tape's cell i comes from after each action: w[(i + offset) mod N].
OFFSETS = {WRITE_STAY: 0, WRITE_LEFT: 1, WRITE_RIGHT: -1, JUMP_LEFT: "+n", JUMP_RIGHT: "-n"}


@pytest.fixture
def x64():
  with jax.enable_x64(True):
    yield


def np_tape_step(tape, actions, value, jump):
  """w = tape with w[0] = v;  new[i] = Σ_k a_k · w[(i + offset_k) mod N]."""
  n = tape.shape[0]
  written = tape.copy()
  written[0] = value
  offsets = {k: {"+n": jump, "-n": -jump}.get(o, o) for k, o in OFFSETS.items()}
  new = np.zeros_like(tape)
  for i in range(n):
    for k, offset in offsets.items():
      new[i] += actions[k] * written[(i + offset) % n]
  return new


def soft_actions(rng):
  z = np.exp(rng.normal(size=5))
  return z / z.sum()


def small_cell(**overrides):
  sizes = dict(memory_size=N, hidden_size=8, memory_cell_size=M, write_mlp_sizes=(6,))
  return TapeRNNCell(I, O, **{**sizes, **overrides}, rngs=nnx.Rngs(0))


def flagged_inputs(lengths, steps):
  """Inputs [B, T, I] whose last channel is 1 from step `lengths[b]` on (the output phase)."""
  t = np.arange(steps)[None, :]
  xs = np.zeros((len(lengths), steps, I), np.float32)
  xs[..., :-1] = np.random.default_rng(0).normal(size=(len(lengths), steps, I - 1))
  xs[..., -1] = t >= np.asarray(lengths)[:, None]
  return jnp.asarray(xs)


@pytest.mark.usefixtures("x64")
@pytest.mark.parametrize("seed, jump", [(0, 0), (1, 2), (2, 3), (3, 9)])
def test_tape_step_writes_under_the_head_then_mixes_the_five_moves(seed, jump):
  rng = np.random.default_rng(seed)
  tape, actions, value = rng.normal(size=(N, M)), soft_actions(rng), rng.normal(size=M)
  got = tape_rnn.tape_step(tape, actions, value, jump)
  np.testing.assert_allclose(got, np_tape_step(tape, actions, value, jump), rtol=1e-12, atol=1e-12)


@pytest.mark.usefixtures("x64")
@pytest.mark.parametrize("seed, jump", [(0, 1), (1, 3), (2, 10)])
def test_one_hot_actions_are_a_discrete_circular_tape_with_a_moving_head(seed, jump):
  rng = np.random.default_rng(seed)
  moves = {WRITE_STAY: 0, WRITE_LEFT: 1, WRITE_RIGHT: -1, JUMP_LEFT: jump, JUMP_RIGHT: -jump}
  tape = jnp.zeros((N, M))
  cells, head = [np.zeros(M) for _ in range(N)], 0
  for _ in range(40):
    action, value = int(rng.integers(5)), rng.normal(size=M)
    tape = tape_rnn.tape_step(tape, np.eye(5)[action], value, jump)
    cells[head] = value
    head = (head + moves[action]) % N
    from_head = np.stack([cells[(head + i) % N] for i in range(N)])
    np.testing.assert_array_equal(tape, from_head)


def test_a_tape_of_n_cells_holds_an_n_step_input_written_cell_by_cell():
  n = 6
  values = jnp.arange(1.0, n + 1)[:, None] * jnp.ones(M)
  for size, first_kept in [(n, True), (n - 1, False)]:
    tape = jnp.zeros((size, M))
    for value in values:
      tape = tape_rnn.tape_step(tape, jnp.eye(5)[WRITE_LEFT], value, n)
    tape = tape_rnn.tape_step(tape, jnp.eye(5)[JUMP_RIGHT], tape[0], n)  # back by n
    assert bool(jnp.all(tape[0] == values[0])) == first_kept


@pytest.mark.usefixtures("x64")
def test_tape_step_gradients_match_finite_differences():
  rng = np.random.default_rng(0)
  args = (rng.normal(size=(N, M)), soft_actions(rng), rng.normal(size=M))
  step = lambda tape, actions, value: tape_rnn.tape_step(tape, actions, value, 3)  # noqa: E731
  test_util.check_grads(step, args, order=2, modes=["fwd", "rev"])


@pytest.mark.parametrize("action", range(5))
def test_gradients_are_finite_and_exact_at_an_empty_tape_zero_write_and_one_hot_actions(action):
  step = lambda tape, actions, value: tape_rnn.tape_step(tape, actions, value, 2)  # noqa: E731
  args = (jnp.zeros((N, M)), jnp.eye(5)[action], jnp.zeros(M))
  jac_tape, jac_actions, jac_value = jax.jacobian(step, argnums=(0, 1, 2))(*args)
  chex.assert_tree_all_finite((jac_tape, jac_actions, jac_value))
  assert not np.any(jac_tape[..., 0, :])  # the cell under the head is overwritten
  np.testing.assert_array_equal(jac_value.sum(0), np.eye(M))  # the write lands in one cell


def test_count_input_steps_counts_until_the_first_flag_and_then_stops_for_good():
  flags = [0.0, 0.0, 0.0, 1.0, 0.0, 1.0]
  length, counting = jnp.int32(0), jnp.bool_(True)
  seen = []
  for flag in flags:
    length, counting = tape_rnn.count_input_steps(length, counting, flag)
    seen.append((int(length), bool(counting)))
  assert seen == [(1, True), (2, True), (3, True), (3, False), (3, False), (3, False)]


@pytest.mark.parametrize("b,t,n,m,k", [(1, 1, 1, 1, 1), (2, 5, 6, 3, 1), (3, 4, 8, 2, 2)])
@pytest.mark.parametrize("controller", ["rnn", "lstm"])
def test_shapes_through_unroll(b, t, n, m, k, controller):
  cell = TapeRNNCell(I, O, memory_size=n, hidden_size=8, memory_cell_size=m, num_tapes=k,
                     controller=controller, rngs=nnx.Rngs(0))  # fmt: skip
  state, ys = unroll(cell, jnp.ones((b, t, I)))
  assert ys.shape == (b, t, O)
  chex.assert_shape([state.tapes, state.input_length, state.counting], [(b, k, n, m), (b,), (b,)])
  assert bool(jnp.isfinite(ys).all())


def test_state_is_a_named_tuple_and_starts_with_empty_tapes():
  state = small_cell(num_tapes=2).initial_state(3)
  assert isinstance(state, TapeRNNState)
  chex.assert_shape(state.tapes, (3, 2, N, M))
  assert not np.any(np.asarray(state.tapes)) and not np.any(np.asarray(state.input_length))
  assert np.all(np.asarray(state.counting))


def test_the_write_mlp_is_the_references_relu_mlp():
  default = TapeRNNCell(I, O, memory_size=4, rngs=nnx.Rngs(0))
  assert [dense.out_features for dense in default.write_mlp] == [64, 64, 8]  # then M = 8
  two_tapes = small_cell(num_tapes=2).write_mlp
  assert [(dense.in_features, dense.out_features) for dense in two_tapes] == [(8, 6), (6, 2 * M)]
  assert len(small_cell(write_mlp_sizes=()).write_mlp) == 1


def test_the_controller_reads_the_input_and_the_cell_under_every_head_only():
  cell = small_cell(num_tapes=2)
  assert cell.controller.input_size == I + 2 * M
  x = jnp.ones((1, I))
  state = cell.initial_state(1)
  _, y = cell(state, x)
  off_head = state._replace(tapes=state.tapes.at[:, :, 1:].set(5.0))
  np.testing.assert_array_equal(cell(off_head, x)[1], y)
  under_head = state._replace(tapes=state.tapes.at[:, 1, 0].set(5.0))
  assert not np.allclose(cell(under_head, x)[1], y)


def test_the_cell_counts_each_examples_input_length_from_the_flag_channel():
  lengths = [3, 5, 0]
  state, _ = unroll(small_cell(), flagged_inputs(lengths, 9))
  np.testing.assert_array_equal(state.input_length, lengths)
  assert not np.any(np.asarray(state.counting))


def test_an_input_length_given_to_the_initial_state_is_kept():
  cell = small_cell()
  state, _ = unroll(cell, flagged_inputs([3, 5], 9), cell.initial_state(2, input_length=[4, 2]))
  np.testing.assert_array_equal(state.input_length, [4, 2])
  no_channel = small_cell(input_length_channel=None)
  state, _ = unroll(no_channel, jnp.ones((2, 4, I)), no_channel.initial_state(2, input_length=6))
  np.testing.assert_array_equal(state.input_length, [6, 6])
  with pytest.raises(ValueError, match="input_length: required"):
    no_channel.initial_state(2)


def test_a_cell_that_always_jumps_moves_by_the_steps_seen_and_then_by_the_input_length():
  n, t, size = 3, 8, 16
  cell = small_cell(memory_size=size)
  cell.actions.kernel[...] = jnp.zeros_like(cell.actions.kernel[...])
  cell.actions.bias[...] = jnp.eye(5)[JUMP_LEFT] * 1e4  # softmax: exactly a jump left
  run = unroll(cell, flagged_inputs([n, n], t), return_states=True)
  tapes = np.asarray(run.states.tapes[:, :, 0])  # [B, T, N, M]
  previous = np.zeros_like(tapes[:, 0])
  for step in range(t):
    jump = min(step + 1, n)  # causal: the input steps seen so far, then n
    written = np.roll(tapes[:, step], jump, axis=1)  # undo the jump: the tape as written
    np.testing.assert_array_equal(written[:, 1:], previous[:, 1:])
    assert np.all(np.abs(written[:, 0]) > 0)
    previous = tapes[:, step]


# The paper's controller; the other controllers are checked in tests/recurrent.
@pytest.mark.parametrize("controller", ["rnn"])
def test_three_cell_steps_gradients_match_finite_differences(controller):
  with jax.enable_x64(True):
    cell = small_cell(num_tapes=2, controller=controller, memory_size=4, hidden_size=4)
    if controller == "rnn":  # Flax's SimpleCell computes in float32 unless told otherwise
      cell.controller.cell.dense_i.dtype = cell.controller.cell.dense_h.dtype = None
    graphdef, params = nnx.split(cell, nnx.Param)
    params = jax.tree.map(lambda p: p.astype(jnp.float64), params)
    xs = flagged_inputs([1, 2], 3).astype(jnp.float64)

    def loss(params, xs):
      c = nnx.merge(graphdef, params)
      state = c.initial_state(2)
      state = state._replace(
        controller=jax.tree.map(lambda a: a.astype(jnp.float64), state.controller),
        tapes=state.tapes.astype(jnp.float64),
      )
      for step in range(xs.shape[1]):
        state, y = c(state, xs[:, step])
      return jnp.sum(y**2) + jnp.sum(state.tapes**2)

    test_util.check_grads(jax.jit(loss), (params, xs), order=1, modes=["rev"], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("inputs", gradients.INPUTS)
def test_gradients_are_finite_from_empty_tapes(inputs):
  """Zero tapes at the start; with huge inputs, saturated tanh and one-hot softmax actions."""
  gradients.assert_finite_from_the_start(small_cell(), inputs)


@pytest.mark.parametrize(
  "overrides, message",
  [
    (dict(memory_size=0), "memory_size must be >= 1"),
    (dict(memory_cell_size=0), "memory_cell_size must be >= 1"),
    (dict(num_tapes=0), "num_tapes must be >= 1"),
    (dict(hidden_size=0), "hidden_size must be >= 1"),
    (dict(write_mlp_sizes=(64, 0)), "write_mlp_sizes must all be >= 1"),
    (dict(input_length_channel=I), r"input_length_channel must be in \[-5, 5\)"),
    (dict(controller="tape"), "controller: unknown 'tape'"),
  ],
)
def test_bad_configuration_names_the_argument(overrides, message):
  with pytest.raises(ValueError, match=message):
    small_cell(**overrides)


def test_the_memory_size_has_no_default_the_caller_sizes_it():
  with pytest.raises(TypeError, match="memory_size"):
    TapeRNNCell(I, O, rngs=nnx.Rngs(0))
