"""The Stack-RNN (Joulin & Mikolov 2015) in the variant of Delétang et al. 2023.

Joulin & Mikolov 2015, "Inferring Algorithmic Patterns with Stack-Augmented
Recurrent Nets" (NeurIPS), their pushdown stack with a no-op action added
to push and pop; Delétang et al. 2023, "Neural Networks and the Chomsky Hierarchy"
(ICLR), whose public `stack_rnn` core this module follows. One step:

  h_t   = controller([x_t ; s_{t−1}[0]], h_{t−1})       the top of each stack is read
  a_t   = softmax(A h_t)                               [push, pop, no-op] per stack
  v_t   = D h_t                                        the value a push writes
  s_t   = a_push · [v_t ; s_{t−1}[:−1]]                push: everything moves down
        + a_pop  · [s_{t−1}[1:] ; 0]                   pop: everything moves up
        + a_noop · s_{t−1}                             no-op: nothing moves
  y_t   = W relu(h_t) + b                              the logits

A stack is N cells of M numbers, `stack[0]` its top. As in Delétang et al.:
the controller is a vanilla tanh RNN ("stack_rnn"; "lstm" gives their
"stack_lstm"), it reads only the top cell of each stack (Joulin & Mikolov
read the top k), the push value is linear (Joulin & Mikolov squash it with a
sigmoid), and the logits come from a dense layer on relu(h). Unlike their
code, the softmax over the three actions is taken per stack (theirs runs over
the actions of all stacks together, which differs when `num_stacks` > 1).

Stack size: a push moves every cell one place down and the bottom cell
falls off, so a full stack loses its oldest cell. Each step pushes at most one
cell, so a stack of T cells holds everything a T-step sequence can push:
`unroll` builds the state with `max_steps` = T, and the stacks hold
max(`stack_size`, T) cells, so every run, the length sweep's longest tests
included, fits. (A size fixed once, like Delétang et al.'s default of 30
cells, cannot cover their length-500 tests.)

Numerical safety: the update is a convex mixture of shifted stacks (no
division, no logarithm), so values and gradients are finite for empty
stacks, zero push values and exactly one-hot actions.
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx
from jax.typing import ArrayLike

from memnets import recurrent

# The order of the actions in `actions` (Delétang et al.'s order).
PUSH, POP, NO_OP = 0, 1, 2
NUM_ACTIONS = 3


def stack_step(stack: ArrayLike, actions: ArrayLike, push_value: ArrayLike) -> jax.Array:
  """One soft stack update: a_push · push(s, v) + a_pop · pop(s) + a_noop · s.

  Args:
    stack: [N, M] the stack, `stack[0]` its top.
    actions: [3] probabilities of push, pop and no-op (`PUSH`, `POP`, `NO_OP`).
    push_value: [M] the value a push puts on top.

  Returns:
    [N, M]. With one-hot actions, exactly a discrete stack of N cells whose
    bottom cell falls off on a push and whose popped top leaves a zero cell
    at the bottom.
  """
  stack = jnp.asarray(stack)
  actions = jnp.asarray(actions)
  push_value = jnp.asarray(push_value)
  pushed = jnp.concatenate([push_value[None, :], stack[:-1]], axis=0)
  popped = jnp.concatenate([stack[1:], jnp.zeros_like(stack[:1])], axis=0)
  return actions[PUSH] * pushed + actions[POP] * popped + actions[NO_OP] * stack


# [B, K, N, M] stacks, [B, K, 3] actions, [B, K, M] push values.
_stack_step_batch = jax.vmap(jax.vmap(stack_step))


class StackRNNState(NamedTuple):
  controller: Any  # the controller cell's own state
  stacks: jax.Array  # [B, K, N, M]: K stacks of N cells, index 0 the top


class StackRNNCell(nnx.Module):
  """A recurrent controller with K differentiable stacks of N × M cells.

  Args:
    input_size, output_size: I and O.
    stack_size: N, the fewest cells of each stack; a run of T > N steps gets
      T (one push per step at most; see the module docstring).
    hidden_size: the controller's width (Delétang et al.: 256).
    stack_cell_size: M, the width of one cell (Delétang et al.: 8).
    num_stacks: K (Delétang et al.: 1).
    controller: a name of `recurrent.CONTROLLERS`; "rnn" (Delétang et al.'s
      Stack-RNN) or "lstm" (their Stack-LSTM).
    rngs: parameter initialisation.
  """

  def __init__(
    self,
    input_size: int,
    output_size: int,
    *,
    stack_size: int,
    hidden_size: int = 256,
    stack_cell_size: int = 8,
    num_stacks: int = 1,
    controller: str = "rnn",
    rngs: nnx.Rngs,
  ):
    for name, value in [
      ("input_size", input_size),
      ("output_size", output_size),
      ("stack_size", stack_size),
      ("hidden_size", hidden_size),
      ("stack_cell_size", stack_cell_size),
      ("num_stacks", num_stacks),
    ]:
      if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    if controller not in recurrent.CONTROLLERS:
      raise ValueError(
        f"controller: unknown {controller!r}; known: {sorted(recurrent.CONTROLLERS)}"
      )
    self.input_size = input_size
    self.output_size = output_size
    self.stack_size = stack_size
    self.stack_cell_size = stack_cell_size
    self.num_stacks = num_stacks
    tops = num_stacks * stack_cell_size
    self.controller = recurrent.CONTROLLERS[controller](input_size + tops, hidden_size, rngs=rngs)
    hidden = self.controller.output_size
    self.push = nnx.Linear(hidden, tops, rngs=rngs)
    self.actions = nnx.Linear(hidden, num_stacks * NUM_ACTIONS, rngs=rngs)
    self.output = nnx.Linear(hidden, output_size, rngs=rngs)

  sized_by_length = True  # `unroll` passes max_steps: the stacks grow to the sequence

  def initial_state(self, batch_size: int, max_steps: int | None = None) -> StackRNNState:
    """Empty (all-zero) stacks and the controller's zero state.

    The stacks hold max(stack_size, max_steps) cells, so a run of `max_steps`
    steps never pushes a cell off the bottom.
    """
    cells = self.stack_size if max_steps is None else max(self.stack_size, max_steps)
    shape = (batch_size, self.num_stacks, cells, self.stack_cell_size)
    return StackRNNState(
      controller=self.controller.initial_state(batch_size), stacks=jnp.zeros(shape, jnp.float32)
    )

  def __call__(self, state: StackRNNState, x_BxI: jax.Array) -> tuple[StackRNNState, jax.Array]:
    """One step: read the tops, run the controller, update the stacks, emit the logits."""
    batch_size = x_BxI.shape[0]
    k, m = self.num_stacks, self.stack_cell_size
    tops_BxKM = state.stacks[:, :, 0, :].reshape(batch_size, k * m)
    ctrl_state, h_BxH = self.controller(state.controller, jnp.concatenate([x_BxI, tops_BxKM], -1))
    push_BxKxM = self.push(h_BxH).reshape(batch_size, k, m)
    actions_BxKx3 = jax.nn.softmax(self.actions(h_BxH).reshape(batch_size, k, NUM_ACTIONS), -1)
    stacks = _stack_step_batch(state.stacks, actions_BxKx3, push_BxKxM)
    y_BxO = self.output(jax.nn.relu(h_BxH))
    return StackRNNState(controller=ctrl_state, stacks=stacks), y_BxO
