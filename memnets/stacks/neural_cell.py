"""A controller with a neural stack, queue or deque (Grefenstette et al. 2015, §3.4).

A controller (any cell of `memnets.recurrent.CONTROLLERS`, the paper's
LSTM by default) reads [e_t; r_{t−1}], the input's embedding and the
previous step's read(s); dense layers map its output h_t to the memory's controls

  d_t = sigmoid(W_d h_t + b_d)    push strength
  u_t = sigmoid(W_u h_t + b_u)    pop strength
  v_t = tanh(W_v h_t + b_v)       the vector pushed [M]

one set for the stack and the queue, two (top, bottom) for the deque; the
memory steps (`memnets.stacks.neural`) and its read(s) r_t feed the next
step. The logits are y_t = W_o h_t + b_o: the paper's output o_t = tanh(W h_t)
followed by its softmax layer, as one dense layer here. So the read of step
t reaches the output at step t + 1, as in the paper.

Capacity: the memory is preallocated. A step pushes at most one vector per
end, so a capacity of T never drops a push in a T-step run: `unroll` builds
the state with `max_steps` = T and the memory holds max(`capacity`, T)
pushes. A state built with a smaller capacity drops the pushes beyond it
(`memnets.stacks.neural`).

Cost: the memory is a [K, M] carry of `jax.lax.scan`, and a gradient
keeps every step's carry, so training a T-step run holds T · K · M numbers
per example (K ≥ T): O(T² M). At Grefenstette et al.'s sizes (LSTM 256, M =
256, T = 129) one training step costs about 4 times the same cell with M = 8.

Embedding: e_t = E x_t, E of `embedding_size` rows drawn from N(0, 1)
(the paper embeds its symbols in 64 numbers); with `embedding_size` 0,
e_t = x_t. The embedding matters for one-hot inputs: fed raw, a symbol
moves each controller pre-activation by one weight of scale
1/sqrt(fan-in), far less than the M-wide read beside it does, so every
pushed value starts out alike and the stack is not learnt.

Initial state: an empty memory, zero reads, the controller's zero state.
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx

from memnets import recurrent
from memnets.stacks import neural

KINDS = ("stack", "queue", "deque")


class NeuralStackState(NamedTuple):
  controller: Any  # the controller cell's own state
  memory: neural.NeuralMemory  # values [B, K, M], strengths [B, K], count [B]
  reads: jax.Array  # [B, E, M] the last step's reads; E = 1, or 2 (top, bottom) for a deque


_stack_batch = jax.vmap(neural.stack_step)
_queue_batch = jax.vmap(neural.queue_step)
_deque_batch = jax.vmap(neural.deque_step)


class NeuralStackCell(nnx.Module):
  """A controller with a neural stack, queue or deque of `capacity` vectors of `memory_width`.

  Args:
    input_size, output_size: I and O.
    kind: "stack", "queue" or "deque".
    controller: "lstm", "gru", "rnn" or "feedforward" (recurrent.CONTROLLERS).
    controller_size: the controller's width.
    memory_width: M, the size of the pushed vectors.
    capacity: K, the fewest pushes the memory holds (per end for the
      deque); a run of T > K steps gets T.
    pop_bias: the initial bias b_u of the pop strengths (Grefenstette et al.,
      App. B, use −1 in every experiment: the controller starts by popping
      little); 0 by default.
    embedding_size: the width of the input embedding E (no bias, unit-normal
      entries); 0 (the default) feeds the inputs as they are.
    rngs: parameter initialisation.
  """

  def __init__(
    self,
    input_size: int,
    output_size: int,
    *,
    kind: str = "stack",
    controller: str = "lstm",
    controller_size: int = 256,
    memory_width: int = 64,
    capacity: int,
    pop_bias: float = 0.0,
    embedding_size: int = 0,
    rngs: nnx.Rngs,
  ):
    if kind not in KINDS:
      raise ValueError(f"kind: unknown {kind!r}; known: {list(KINDS)}")
    if controller not in recurrent.CONTROLLERS:
      raise ValueError(
        f"controller: unknown {controller!r}; known: {sorted(recurrent.CONTROLLERS)}"
      )
    for name, value in [
      ("input_size", input_size),
      ("output_size", output_size),
      ("controller_size", controller_size),
      ("memory_width", memory_width),
      ("capacity", capacity),
    ]:
      if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    if embedding_size < 0:
      raise ValueError(f"embedding_size must be >= 0, got {embedding_size}")
    self.input_size = input_size
    self.output_size = output_size
    self.kind = kind
    self.memory_width = memory_width
    self.capacity = capacity
    self.ends = 2 if kind == "deque" else 1
    unit = nnx.initializers.normal(1.0)
    self.embed = (
      nnx.Linear(input_size, embedding_size, use_bias=False, kernel_init=unit, rngs=rngs)
      if embedding_size
      else None
    )
    embedded = embedding_size or input_size
    self.controller = recurrent.CONTROLLERS[controller](
      embedded + self.ends * memory_width, controller_size, rngs=rngs
    )
    hidden = self.controller.output_size
    self.push = nnx.Linear(hidden, self.ends, rngs=rngs)
    pop_init = nnx.initializers.constant(pop_bias)
    self.pop = nnx.Linear(hidden, self.ends, bias_init=pop_init, rngs=rngs)
    self.value = nnx.Linear(hidden, self.ends * memory_width, rngs=rngs)
    self.output = nnx.Linear(hidden, output_size, rngs=rngs)

  sized_by_length = True  # `unroll` passes max_steps: the memory grows to the sequence

  def initial_state(self, batch_size: int, max_steps: int | None = None) -> NeuralStackState:
    """An empty memory, zero reads and the controller's zero state.

    The memory holds max(capacity, max_steps) pushes (per end), so a run of
    `max_steps` steps never drops one.
    """
    init = neural.deque_init if self.kind == "deque" else neural.init
    capacity = self.capacity if max_steps is None else max(self.capacity, max_steps)
    empty = init(capacity, self.memory_width)
    return NeuralStackState(
      controller=self.controller.initial_state(batch_size),
      memory=jax.tree.map(lambda a: jnp.broadcast_to(a, (batch_size, *a.shape)), empty),
      reads=jnp.zeros((batch_size, self.ends, self.memory_width), jnp.float32),
    )

  def __call__(self, state: NeuralStackState, x: jax.Array) -> tuple[NeuralStackState, jax.Array]:
    new_state, y, _ = self._step(state, x)
    return new_state, y

  def _step(self, state: NeuralStackState, x: jax.Array):
    """One step: (new state, logits, the controls: push and pop [B, E], values [B, E, M])."""
    batch_size = x.shape[0]
    prev_reads = state.reads.reshape(batch_size, -1)
    e = x if self.embed is None else self.embed(x)
    ctrl_state, h = self.controller(state.controller, jnp.concatenate([e, prev_reads], -1))
    push = jax.nn.sigmoid(self.push(h))
    pop = jax.nn.sigmoid(self.pop(h))
    values = jnp.tanh(self.value(h)).reshape(batch_size, self.ends, self.memory_width)
    if self.kind == "deque":
      memory, top, bottom = _deque_batch(
        state.memory, values[:, 0], values[:, 1], push[:, 0], pop[:, 0], push[:, 1], pop[:, 1]
      )
      reads = jnp.stack([top, bottom], axis=1)
    else:
      step = _stack_batch if self.kind == "stack" else _queue_batch
      memory, read = step(state.memory, values[:, 0], push[:, 0], pop[:, 0])
      reads = read[:, None]
    new_state = NeuralStackState(controller=ctrl_state, memory=memory, reads=reads)
    return new_state, self.output(h), (push, pop, values)

  def trace(self, xs_BxTxI: jax.Array) -> dict[str, jax.Array]:
    """Every step's controls and reads on a batch [B, T, I], for plots; batch-major.

    Returns `push` and `pop` [B, T, E] (E = 1, or 2 for the deque: top,
    bottom), `values` [B, T, E, M] (the vectors pushed), `reads` [B, T, E, M],
    `strengths` [B, T, K] (2K slots for the deque, bottom first) and
    `logits` [B, T, O].
    """

    def body(state, x):
      new_state, y, (push, pop, values) = self._step(state, x)
      seen = {
        "push": push,
        "pop": pop,
        "values": values,
        "reads": new_state.reads,
        "strengths": new_state.memory.strengths,
        "logits": y,
      }
      return new_state, seen

    _, seen = jax.lax.scan(
      body, self.initial_state(*xs_BxTxI.shape[:2]), jnp.swapaxes(xs_BxTxI, 0, 1)
    )
    return {name: jnp.swapaxes(value, 0, 1) for name, value in seen.items()}
