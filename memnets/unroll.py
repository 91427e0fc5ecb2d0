"""The one time loop: run a cell over a sequence with a single `jax.lax.scan`.

Every recurrent model in memnets goes through `unroll`. Public arrays are
batch-major (`xs [B, T, I]`, `ys [B, T, O]`); the scan itself runs time-major.
The cell's parameters enter the scan body as a plain pytree (the cell is split
once with `nnx.split` and merged inside the body), so `jax.checkpoint` and
`jax.grad` see ordinary arrays.
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx


class Unrolled(NamedTuple):
  """What `unroll` returns when asked for every step's state."""

  state: Any  # final state
  ys: jax.Array  # [B, T, O]
  states: Any  # every step's state (after the step), each leaf [B, T, ...]


def _time_major(x: jax.Array) -> jax.Array:
  return jnp.swapaxes(x, 0, 1)


def unroll(
  cell: nnx.Module,
  xs: jax.Array,
  state: Any = None,
  *,
  mask: jax.Array | None = None,
  remat: bool = False,
  return_states: bool = False,
  reverse: bool = False,
  scan_unroll: int = 1,
):
  """Runs `cell` over the time axis of `xs`.

  Args:
    cell: a memnets cell (`initial_state(B)`, `__call__(state, x) -> (state, y)`).
    xs: [B, T, I] inputs.
    state: the initial state; `cell.initial_state(B)` when None.
    mask: optional [B, T]; where 0 the step's state update is discarded (the
      state is carried through unchanged), so padded steps do not disturb it.
      The outputs at those steps are still computed; mask them in the loss.
    remat: recompute each step's internals in the backward pass
      (`jax.checkpoint` on the scan body) instead of storing them: memory
      O(T · state) instead of O(T · activations). Off by default: on the
      2-core CPU, the standard NTM training step (batch 16, length 20) was
      no faster with it (median 69–97 ms against 65–76 ms without, two
      interleaved runs of experiments/benchmark.py's case); it pays for long
      sequences, where the stored activations would not fit.
    return_states: also return every step's state (head weightings, memory,
      ...), batch-major, for plots. Memory-hungry for long sequences.
    reverse: run from the last step to the first (outputs stay aligned with xs).
    scan_unroll: `unroll` argument of `jax.lax.scan`.

  Returns:
    `(final_state, ys [B, T, O])`, or an `Unrolled` with every step's state
    when `return_states` is True.
  """
  if xs.ndim != 3:
    raise ValueError(f"xs must be [B, T, I], got shape {xs.shape}")
  batch_size = xs.shape[0]
  if state is None:
    state = cell.initial_state(batch_size)
  graphdef, variables = nnx.split(cell)

  def step(carry, inputs):
    x, m = inputs
    new_carry, y = nnx.merge(graphdef, variables)(carry, x)
    if m is not None:
      keep = m.astype(bool)
      new_carry = jax.tree.map(
        lambda new, old: jnp.where(keep.reshape((-1,) + (1,) * (new.ndim - 1)), new, old),
        new_carry,
        carry,
      )
    return new_carry, ((y, new_carry) if return_states else y)

  if remat:
    step = jax.checkpoint(step)
  masks = None if mask is None else _time_major(jnp.asarray(mask))
  final, outputs = jax.lax.scan(
    step, state, (_time_major(xs), masks), reverse=reverse, unroll=scan_unroll
  )
  if not return_states:
    return final, _time_major(outputs)
  ys, states = outputs
  return Unrolled(final, _time_major(ys), jax.tree.map(_time_major, states))
