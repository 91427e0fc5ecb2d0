"""The stack and tape cells' memories grow to the run's length (`unrolling.initial_state`)."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from memnets import models
from memnets.unrolling import initial_state, unroll

I, O, B, T = 4, 3, 2, 9
SMALL = {
  "neural_stack": {"controller_size": 6, "memory_width": 3, "capacity": 2},
  "neural_queue": {"controller_size": 6, "memory_width": 3, "capacity": 2},
  "neural_deque": {"controller_size": 6, "memory_width": 3, "capacity": 2},
  "stack_rnn": {"hidden_size": 6, "stack_cell_size": 3, "stack_size": 2},
  "tape_rnn": {"hidden_size": 6, "memory_cell_size": 3, "memory_size": 2},
  "ndstack_rnn": {"hidden_size": 6, "stack_size": 2},
}
SIZE_FIELD = {"stack_rnn": "stack_size", "tape_rnn": "memory_size", "ndstack_rnn": "stack_size"}


def memory_of(name, state):
  if name == "stack_rnn":
    return state.stacks
  if name == "tape_rnn":
    return state.tapes
  if name == "ndstack_rnn":
    return state.alpha[..., 0]  # [B, P, Q]: one row of forward weights per step
  return state.memory.values


@pytest.mark.parametrize("name", sorted(SMALL))
def test_a_run_longer_than_the_memory_gets_one_cell_per_step(name):
  small = models.build(name, I, O, rngs=nnx.Rngs(0), **SMALL[name])
  field = SIZE_FIELD.get(name, "capacity")
  big = models.build(name, I, O, rngs=nnx.Rngs(0), **{**SMALL[name], field: T})
  xs = jax.random.normal(jax.random.key(1), (B, T, I))
  state, ys = unroll(small, xs)
  slots = memory_of(name, state).shape[-2]
  assert slots == (2 * T if name == "neural_deque" else T)
  # The same parameters with the memory sized T from the start: the same run.
  _, expected = unroll(big, xs)
  np.testing.assert_allclose(ys, expected, rtol=1e-5, atol=1e-6)
  # Sized for fewer steps, the memory stays as built (and may drop or wrap).
  assert memory_of(name, small.initial_state(B)).shape[-2] == (4 if name == "neural_deque" else 2)


def test_cells_without_the_flag_get_the_plain_initial_state():
  lstm = models.build("lstm", I, O, hidden_size=5, rngs=nnx.Rngs(0))
  state = initial_state(lstm, B, T)
  assert jax.tree.map(jnp.shape, state) == jax.tree.map(jnp.shape, lstm.initial_state(B))
