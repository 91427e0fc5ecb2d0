"""The Tape-RNN of Delétang et al. 2023, "Neural Networks and the Chomsky Hierarchy" (ICLR).

A recurrent controller with a circular tape of N cells of M numbers under one
head, loosely after the Baby-NTM of Suzgun et al. 2019; this module follows
the paper's public `tape_rnn` core (its input-length-jump variant). The tape
is kept head-relative: `tape[0]` is the cell under the head, and a head move
rolls the tape. One step:

  h_t  = controller([x_t ; tape_{t−1}[0]], h_{t−1})     the cell under the head is read
  a_t  = softmax(A h_t)                                 five actions, below
  v_t  = MLP(h_t)                                       the value written (relu MLP)
  w    = tape_{t−1} with w[0] = v_t                     every action writes first
  tape_t = Σ_k a_t[k] · roll(w, shift_k)                then the head moves
  y_t  = W relu(h_t) + b                                the logits

with roll(w, s)[i] = w[(i − s) mod N] and the actions (the reference's names):

  WRITE_STAY   shift 0     the head stays on the cell it wrote
  WRITE_LEFT   shift −1    the tape moves one cell left: the head reads w[1]
  WRITE_RIGHT  shift +1    the tape moves one cell right: the head reads w[N − 1]
  JUMP_LEFT    shift −n    the tape moves n cells left: the head reads w[n mod N]
  JUMP_RIGHT   shift +n    the tape moves n cells right

n, the jump, is the length of the input string. The reference passes it to
its initial state (all examples of its batches share one length) and so
knows it from the first step on. memnets' batches mix lengths and its
unroll builds the state with `initial_state(B)` alone, so the cell counts n
itself by default: with `input_length_channel` = c, n is the number of steps
before the first one whose input x[c] exceeds 0.5 (memnets' Chomsky tasks
flag their output phase on the last channel, `tasks.chomsky.encoding`). The
count is causal: during the input phase a jump moves by the steps seen so
far (this one included); from the first output step on, by the input length,
as in the reference. `initial_state(B, input_length=n)` fixes n instead (the
reference's behaviour). The tape is circular: jumps and moves wrap around.

Tape size: the head writes one cell per step and moves one cell per step
except when it jumps, so a tape of T cells lets it walk on through a T-step
sequence without wrapping round onto the cells it wrote (the strategy of
the Chomsky tasks: write the input cell by cell, jump back by n, read it
back). The reference's 40-cell example cannot hold a length-500 input; here
`unroll` builds the state with `max_steps` = T and the tapes hold
max(`memory_size`, T) cells, so every run fits, the sweep's longest included.

Numerical safety: a write, rolls and a convex mixture: no division or
logarithm, so values and gradients are finite for an empty tape, zero
writes and exactly one-hot actions.
"""

from collections.abc import Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx
from jax.typing import ArrayLike

from memnets import recurrent

# The order of the actions in `actions` (the reference's order).
WRITE_STAY, WRITE_LEFT, WRITE_RIGHT, JUMP_LEFT, JUMP_RIGHT = range(5)
NUM_ACTIONS = 5
# An input channel above this marks the end of the input (see `count_input_steps`).
FLAG_THRESHOLD = 0.5


def tape_step(
  tape: ArrayLike, actions: ArrayLike, write_value: ArrayLike, jump: ArrayLike
) -> jax.Array:
  """One soft tape update: write under the head, then Σ_k a_k · roll(tape, shift_k).

  Args:
    tape: [N, M] the head-relative tape, `tape[0]` under the head.
    actions: [5] probabilities of the five actions (module docstring).
    write_value: [M] the value written to the cell under the head (it
      replaces that cell; there is no erase gate).
    jump: integer n, the distance of the two jump actions (taken mod N).

  Returns:
    [N, M]. With one-hot actions, exactly a discrete circular tape whose head
    writes and then moves.
  """
  tape = jnp.asarray(tape)
  actions = jnp.asarray(actions)
  written = tape.at[0].set(jnp.asarray(write_value, tape.dtype))
  jump = jnp.asarray(jump, jnp.int32)
  moved = [  # in the order of the action constants
    written,
    jnp.roll(written, -1, axis=0),
    jnp.roll(written, 1, axis=0),
    jnp.roll(written, -jump, axis=0),
    jnp.roll(written, jump, axis=0),
  ]
  return sum(actions[k] * tape_k for k, tape_k in enumerate(moved))


def count_input_steps(
  input_length: ArrayLike, counting: ArrayLike, flag: ArrayLike
) -> tuple[jax.Array, jax.Array]:
  """One step of the causal input-length count: (input_length, counting) after input `flag`.

  While `counting`, a step whose flag is at most `FLAG_THRESHOLD` is one more
  input step; the first step above it ends the count for good.
  """
  counting = jnp.asarray(counting) & (jnp.asarray(flag) <= FLAG_THRESHOLD)
  return jnp.asarray(input_length) + counting.astype(jnp.int32), counting


# [B, K, N, M] tapes, [B, K, 5] actions, [B, K, M] writes; one jump [B] for all K tapes.
_tape_step_batch = jax.vmap(jax.vmap(tape_step, in_axes=(0, 0, 0, None)))


class TapeRNNState(NamedTuple):
  controller: Any  # the controller cell's own state
  tapes: jax.Array  # [B, K, N, M]: K head-relative tapes, index 0 under the head
  input_length: jax.Array  # [B] int32: n, the jump distance
  counting: jax.Array  # [B] bool: n is still being counted from the inputs


class TapeRNNCell(nnx.Module):
  """A recurrent controller with K circular tapes of N × M cells, one head each.

  Args:
    input_size, output_size: I and O.
    memory_size: N, the fewest cells of each tape; a run of T > N steps gets
      T (module docstring).
    hidden_size: the controller's width (the reference's example: 256).
    memory_cell_size: M, the width of one cell (the reference's example: 8).
    num_tapes: K (the reference: 1).
    write_mlp_sizes: hidden widths of the relu MLP that computes the written
      values (the reference: (64, 64); () for one dense layer).
    input_length_channel: c, the input channel whose first value above 0.5
      ends the input (default −1, memnets' Chomsky output-phase flag); None:
      the caller gives n to `initial_state`.
    controller: a name of `recurrent.CONTROLLERS` (the reference: "rnn").
    rngs: parameter initialisation.
  """

  def __init__(
    self,
    input_size: int,
    output_size: int,
    *,
    memory_size: int,
    hidden_size: int = 256,
    memory_cell_size: int = 8,
    num_tapes: int = 1,
    write_mlp_sizes: Sequence[int] = (64, 64),
    input_length_channel: int | None = -1,
    controller: str = "rnn",
    rngs: nnx.Rngs,
  ):
    for name, value in [
      ("input_size", input_size),
      ("output_size", output_size),
      ("memory_size", memory_size),
      ("hidden_size", hidden_size),
      ("memory_cell_size", memory_cell_size),
      ("num_tapes", num_tapes),
    ]:
      if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    write_mlp_sizes = tuple(int(size) for size in write_mlp_sizes)
    if any(size < 1 for size in write_mlp_sizes):
      raise ValueError(f"write_mlp_sizes must all be >= 1, got {write_mlp_sizes}")
    if input_length_channel is not None and not -input_size <= input_length_channel < input_size:
      raise ValueError(
        f"input_length_channel must be in [-{input_size}, {input_size}) or None, "
        f"got {input_length_channel}"
      )
    if controller not in recurrent.CONTROLLERS:
      raise ValueError(
        f"controller: unknown {controller!r}; known: {sorted(recurrent.CONTROLLERS)}"
      )
    self.input_size = input_size
    self.output_size = output_size
    self.memory_size = memory_size
    self.memory_cell_size = memory_cell_size
    self.num_tapes = num_tapes
    self.input_length_channel = (
      None if input_length_channel is None else input_length_channel % input_size
    )
    reads = num_tapes * memory_cell_size
    self.controller = recurrent.CONTROLLERS[controller](input_size + reads, hidden_size, rngs=rngs)
    hidden = self.controller.output_size
    widths = (hidden, *write_mlp_sizes, reads)
    self.write_mlp = nnx.List(
      [nnx.Linear(a, b, rngs=rngs) for a, b in zip(widths[:-1], widths[1:], strict=True)]
    )
    self.actions = nnx.Linear(hidden, num_tapes * NUM_ACTIONS, rngs=rngs)
    self.output = nnx.Linear(hidden, output_size, rngs=rngs)

  sized_by_length = True  # `unroll` passes max_steps: the tapes grow to the sequence

  def initial_state(
    self, batch_size: int, input_length: ArrayLike | None = None, max_steps: int | None = None
  ) -> TapeRNNState:
    """Empty (all-zero) tapes, the controller's zero state, and the jump distance.

    Args:
      batch_size: B.
      input_length: None: n is counted from the inputs (`input_length_channel`);
        an int or [B] ints: the jump distance n of every step.
      max_steps: the tapes hold max(memory_size, max_steps) cells (the
        longest run's steps), so no run wraps a write around the tape.

    Raises:
      ValueError: if `input_length` is None and the cell has no
        `input_length_channel` to count it from.
    """
    if input_length is None and self.input_length_channel is None:
      raise ValueError("input_length: required by initial_state when input_length_channel is None")
    counting = input_length is None
    lengths = jnp.zeros((batch_size,), jnp.int32) if counting else input_length
    cells = self.memory_size if max_steps is None else max(self.memory_size, max_steps)
    shape = (batch_size, self.num_tapes, cells, self.memory_cell_size)
    return TapeRNNState(
      controller=self.controller.initial_state(batch_size),
      tapes=jnp.zeros(shape, jnp.float32),
      input_length=jnp.broadcast_to(jnp.asarray(lengths, jnp.int32), (batch_size,)),
      counting=jnp.full((batch_size,), counting),
    )

  def __call__(self, state: TapeRNNState, x_BxI: jax.Array) -> tuple[TapeRNNState, jax.Array]:
    """One step: read under the heads, run the controller, write, move, emit the logits."""
    batch_size = x_BxI.shape[0]
    k, m = self.num_tapes, self.memory_cell_size
    if self.input_length_channel is None:
      input_length, counting = state.input_length, state.counting
    else:
      flag_B = x_BxI[:, self.input_length_channel]
      input_length, counting = count_input_steps(state.input_length, state.counting, flag_B)
    reads_BxKM = state.tapes[:, :, 0, :].reshape(batch_size, k * m)
    ctrl_state, h_BxH = self.controller(state.controller, jnp.concatenate([x_BxI, reads_BxKM], -1))
    v = h_BxH
    for i, layer in enumerate(self.write_mlp):
      v = layer(v if i == 0 else jax.nn.relu(v))
    write_BxKxM = v.reshape(batch_size, k, m)
    actions_BxKx5 = jax.nn.softmax(self.actions(h_BxH).reshape(batch_size, k, NUM_ACTIONS), -1)
    tapes = _tape_step_batch(state.tapes, actions_BxKx5, write_BxKxM, input_length)
    y_BxO = self.output(jax.nn.relu(h_BxH))
    new_state = TapeRNNState(
      controller=ctrl_state, tapes=tapes, input_length=input_length, counting=counting
    )
    return new_state, y_BxO
