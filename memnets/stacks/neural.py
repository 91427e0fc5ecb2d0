"""The continuous stack, queue and deque of Grefenstette et al. 2015, §3.

"Learning to Transduce with Unbounded Memory". The memory holds vectors
v_i [M], each with a strength s_i in [0, 1]: how much of it is still in the
memory. A step of the stack (§3.1), with push strength d and pop strength
u, both in [0, 1]:

  s_i ← max(0, s_i − max(0, u − Σ_{j above i} s_j))    pop: the top u of strength
  push v with strength d on the top
  r   = Σ_i min(s_i, max(0, 1 − Σ_{j above i} s_j)) v_i    read: the top 1 of strength

The queue (§3.2) pops and reads at the bottom ("below i" in both sums) and
pushes at the top. The deque (§3.3) pops at both ends at once, from the
strengths before the step, then pushes at both ends, and reads at both ends.
With 0/1 strengths the three are the discrete stack, queue and deque, and a
read of an empty memory is the zero vector.

Storage: the paper's memory grows by one vector a step. Here it is
preallocated, K slots of M numbers (`NeuralMemory`), and `count` is the
number of steps taken: every step pushes, with a strength d that may be 0,
so a step's push goes to the slot `count` steps from the start:

- stack and queue (`init(K, M)`): slot `count`; slots 0 … count − 1 hold
  the pushes so far, the oldest at the bottom (slot 0).
- deque (`deque_init(K, M)`: 2K slots): the live region grows outwards from
  the middle, K + count for a push at the top, K − 1 − count for a push at
  the bottom, so slots K − count … K + count − 1 hold the pushes so far.

Every slot not yet pushed to has strength 0 and the zero vector, so the sums
above run over all slots (prefix sums by `jnp.cumsum`) and no slot is
gathered or indexed: a push writes its slot through a one-hot mask.

Full memory: a push beyond the capacity K (per end, for the deque) is
dropped, value and strength alike; the step still pops and reads what the
memory holds, and `count` still counts the step. A step pushes at most one
vector per end, so K ≥ the number of steps never drops a push.

Numerical safety: nothing divides or takes a logarithm, and max and min
have finite gradients at their kinks (JAX splits a tie evenly, as a central
difference does), so values and gradients are finite at zero strengths,
exact ties, an empty and a full memory. Each function handles ONE example; callers `jax.vmap` over the
batch. No Flax: plain `jax.numpy`.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike, DTypeLike


class NeuralMemory(NamedTuple):
  values: jax.Array  # [K, M] the pushed vectors, slot by slot (bottom first)
  strengths: jax.Array  # [K] how much of each vector is still in the memory
  count: jax.Array  # int32 scalar: steps so far (each pushes once per end)


def init(capacity: int, width: int, dtype: DTypeLike = jnp.float32) -> NeuralMemory:
  """An empty stack or queue of `capacity` slots of `width` numbers."""
  if capacity < 1 or width < 1:
    raise ValueError(f"capacity and width must be >= 1, got {capacity} and {width}")
  return NeuralMemory(
    values=jnp.zeros((capacity, width), dtype),
    strengths=jnp.zeros((capacity,), dtype),
    count=jnp.zeros((), jnp.int32),
  )


def deque_init(capacity: int, width: int, dtype: DTypeLike = jnp.float32) -> NeuralMemory:
  """An empty deque with room for `capacity` pushes at each end: 2 · capacity slots."""
  return init(2 * capacity, width, dtype)


def strength_below(strengths: ArrayLike) -> jax.Array:
  """Σ_{j<i} s_j for every slot i, [K]: the strength between slot i and the bottom."""
  strengths = jnp.asarray(strengths)
  return jnp.concatenate([jnp.zeros_like(strengths[:1]), jnp.cumsum(strengths)[:-1]])


def strength_above(strengths: ArrayLike) -> jax.Array:
  """Σ_{j>i} s_j for every slot i, [K]: the strength between slot i and the top."""
  return jnp.flip(strength_below(jnp.flip(jnp.asarray(strengths))))


def _popped(pop: ArrayLike, nearer: jax.Array) -> jax.Array:
  """The strength a pop of `pop` takes from each slot: max(0, u − Σ nearer the end)."""
  return jnp.maximum(0.0, pop - nearer)


def read_weights(strengths: ArrayLike, nearer: ArrayLike) -> jax.Array:
  """min(s_i, max(0, 1 − Σ nearer the end)), [K]: the share of v_i in a read of 1 strength."""
  return jnp.minimum(jnp.asarray(strengths), jnp.maximum(0.0, 1.0 - jnp.asarray(nearer)))


def _push(
  values: jax.Array, strengths: jax.Array, slot: jax.Array, value: ArrayLike, push: ArrayLike
) -> tuple[jax.Array, jax.Array]:
  """Writes `value` with strength `push` into `slot`; no slot is written when it is outside."""
  at = jnp.arange(strengths.shape[0]) == slot
  values = jnp.where(at[:, None], jnp.asarray(value, values.dtype), values)
  strengths = jnp.where(at, jnp.asarray(push, strengths.dtype), strengths)
  return values, strengths


def stack_step(
  memory: NeuralMemory, value: ArrayLike, push: ArrayLike, pop: ArrayLike
) -> tuple[NeuralMemory, jax.Array]:
  """One step of the neural stack (§3.1): pop u, then push v with strength d, then read.

  Example (the paper's, §3.1): push v1 with 0.8 reads 0.8 v1; pop 0.1 and
  push v2 with 0.5 reads 0.5 v1 + 0.5 v2; pop 0.9 and push v3 with 0.9
  reads 0.1 v1 + 0.9 v3 (strengths 0.3, 0, 0.9).

  Args:
    memory: the stack before the step (`init`).
    value: [M] the vector v to push.
    push, pop: scalars d and u in [0, 1].

  Returns:
    (the stack after the step, the read r [M]: its top 1 of strength).
  """
  s = memory.strengths
  s = jnp.maximum(0.0, s - _popped(pop, strength_above(s)))
  values, s = _push(memory.values, s, memory.count, value, push)
  read = read_weights(s, strength_above(s)) @ values
  return NeuralMemory(values, s, memory.count + 1), read


def queue_step(
  memory: NeuralMemory, value: ArrayLike, push: ArrayLike, pop: ArrayLike
) -> tuple[NeuralMemory, jax.Array]:
  """One step of the neural queue (§3.2): pop u at the bottom, push v at the top, read the bottom.

  Same arguments and results as `stack_step`; the pop and the read take the
  oldest strength first.
  """
  s = memory.strengths
  s = jnp.maximum(0.0, s - _popped(pop, strength_below(s)))
  values, s = _push(memory.values, s, memory.count, value, push)
  read = read_weights(s, strength_below(s)) @ values
  return NeuralMemory(values, s, memory.count + 1), read


def deque_step(
  memory: NeuralMemory,
  top_value: ArrayLike,
  bottom_value: ArrayLike,
  push_top: ArrayLike,
  pop_top: ArrayLike,
  push_bottom: ArrayLike,
  pop_bottom: ArrayLike,
) -> tuple[NeuralMemory, jax.Array, jax.Array]:
  """One step of the neural deque (§3.3): pops at both ends, pushes at both ends, two reads.

  s_i ← max(0, s_i − max(0, u_top − Σ_{j>i} s_j) − max(0, u_bot − Σ_{j<i} s_j)),
  both pops on the strengths before the step (with the clip at 0 this equals
  popping one end, then the other); then v_top is pushed on the top with
  strength d_top and v_bot under the bottom with d_bot.

  Args:
    memory: the deque before the step (`deque_init`: the live region starts
      in the middle of the slots).
    top_value, bottom_value: [M] the vectors to push at the top and the bottom.
    push_top, pop_top, push_bottom, pop_bottom: scalars in [0, 1].

  Returns:
    (the deque after the step, the read at the top [M], the read at the
    bottom [M]: the top and the bottom 1 of strength).
  """
  s = memory.strengths
  popped = _popped(pop_top, strength_above(s)) + _popped(pop_bottom, strength_below(s))
  s = jnp.maximum(0.0, s - popped)
  middle = s.shape[0] // 2
  values, s = _push(memory.values, s, middle + memory.count, top_value, push_top)
  values, s = _push(values, s, middle - 1 - memory.count, bottom_value, push_bottom)
  read_top = read_weights(s, strength_above(s)) @ values
  read_bottom = read_weights(s, strength_below(s)) @ values
  return NeuralMemory(values, s, memory.count + 1), read_top, read_bottom
