"""The one time loop: run a cell over a sequence with `jax.lax.scan`.

Every recurrent model in memnets goes through `unroll`. Public arrays are
batch-major (`xs [B, T, I]`, `ys [B, T, O]`); the scan itself runs time-major.
The cell's parameters enter the scan body as a plain pytree (the cell is split
once with `nnx.split` and merged inside the body), so `jax.checkpoint` and
`jax.grad` see ordinary arrays.

Layer by layer: a cell built from cells whose step t depends on the part
below it only through that part's output at step t (`Stacked`, `Readout`)
defines `unroll_layers(run, xs_TxBxI, state)`, and `unroll` lets it run its
parts one after the other, each over the whole sequence: one scan per layer,
the layer's output sequence the next layer's input. This is the per-step loop
with its two loops (time, layers) swapped, so outputs, final state, every
step's state and gradients are those of the per-step loop; the scan's options
(mask, reverse, remat, scan_unroll) apply to each part's scan alike; on a
masked step every layer keeps its own state, as in the per-step loop.

Input projection before the scan: Flax's `OptimizedLSTMCell` (our `LSTM`)
computes its gates from `dense_i(x) + dense_h(h)`, and `dense_i` does not
depend on the state, so for such a cell `unroll` applies `dense_i` to all T
steps in one matmul and scans Flax's own cell on the projections (its
`dense_i` replaced by a pass-through in a copy of the cell); the LSTM
equations stay Flax's. Any other cell is scanned as it is.
"""

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx

from memnets.recurrent import cells as recurrent


class Unrolled(NamedTuple):
  """What `unroll` returns when asked for every step's state."""

  state: Any  # final state
  ys: jax.Array  # [B, T, O]
  states: Any  # every step's state (after the step), each leaf [B, T, ...]


# `(cell, xs [T, B, I], state) -> (final state, ys [T, B, O], every step's
# state time-major or None)`: the loop a cell's `unroll_layers` runs its parts with.
RunFn = Callable[[nnx.Module, jax.Array, Any], tuple[Any, jax.Array, Any]]


def _time_major(x: jax.Array) -> jax.Array:
  return jnp.swapaxes(x, 0, 1)


def _keep_where(keep_B: jax.Array, new: Any, old: Any) -> Any:
  """`new` where keep_B, else `old`, leaf by leaf (the leaves' first axis is B)."""
  return jax.tree.map(
    lambda n, o: jnp.where(keep_B.reshape((-1,) + (1,) * (n.ndim - 1)), n, o), new, old
  )


class _PrecomputedProjection(nnx.Module):
  """Stands in for an LSTM's input projection that was applied to every step before the scan."""

  def __call__(self, projected_Bx4H: jax.Array) -> jax.Array:
    return projected_Bx4H


def _hoist_input_projection(
  cell: nnx.Module, xs_TxBxI: jax.Array
) -> tuple[nnx.Module, jax.Array] | None:
  """For an LSTM on Flax's `OptimizedLSTMCell`: its input projection of all steps at once.

  The Flax cell computes its gates from `dense_i(x) + dense_h(h)`, where
  `dense_i` sees only the input, never the state. This applies
  `dense_i` to all T steps in one matmul and returns a copy of the cell whose
  `dense_i` passes its (already projected) input through, so the scan runs
  Flax's own cell on the projections. None for any other cell.

  Returns:
    `(copy of cell, projections [T, B, 4H])` or None.
  """
  if not isinstance(cell, recurrent.LSTM) or type(cell.cell) is not nnx.OptimizedLSTMCell:
    return None
  projected_TxBx4H = cell.cell.dense_i(xs_TxBxI)
  copy = nnx.merge(*nnx.split(cell))  # new module objects, the same arrays
  copy.cell.dense_i = _PrecomputedProjection()
  return copy, projected_TxBx4H


def _scan(
  cell: nnx.Module,
  xs_TxBxI: jax.Array,
  state: Any,
  masks_TxB: jax.Array | None,
  *,
  remat: bool,
  return_states: bool,
  reverse: bool,
  scan_unroll: int,
) -> tuple[Any, jax.Array, Any]:
  """One `jax.lax.scan` of `cell`'s step over time-major inputs (see `RunFn`)."""
  graphdef, variables = nnx.split(cell)

  def step(carry, inputs):
    x_BxI, mask_B = inputs
    new_carry, y_BxO = nnx.merge(graphdef, variables)(carry, x_BxI)
    if mask_B is not None:
      new_carry = _keep_where(mask_B.astype(bool), new_carry, carry)
    return new_carry, ((y_BxO, new_carry) if return_states else y_BxO)

  if remat:
    step = jax.checkpoint(step)
  final, outputs = jax.lax.scan(
    step, state, (xs_TxBxI, masks_TxB), reverse=reverse, unroll=scan_unroll
  )
  if return_states:
    return final, *outputs
  return final, outputs, None


def initial_state(cell: nnx.Module, batch_size: int, length: int) -> Any:
  """`cell.initial_state(B)`, or with `max_steps=length` for a cell whose memory grows to the run.

  A cell with `sized_by_length = True` (the stack and tape cells of
  `memnets.stacks`) preallocates its memory and takes the run's length, so a
  test far longer than training still fits (a memory sized once, for the
  training lengths, would silently drop or wrap the longer test's writes).
  """
  if getattr(cell, "sized_by_length", False):
    return cell.initial_state(batch_size, max_steps=length)
  return cell.initial_state(batch_size)


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

  A cell with `unroll_layers` (`Stacked`, `Readout`) is run layer by layer:
  one scan per layer over the whole sequence, a `Readout`'s dense layer once
  on all steps, and an LSTM's input projection before its scan (see the
  module docstring); the results are those of one scan over the whole cell's
  step, to float rounding. It is the faster order on the CPU, and it lets
  each LSTM layer's input projection run as one matmul over all T steps
  (docs/performance.md has the figures).

  Args:
    cell: a memnets cell (`initial_state(B)`, `__call__(state, x) -> (state, y)`).
    xs: [B, T, I] inputs.
    state: the initial state; `initial_state(cell, B, T)` when None.
    mask: optional [B, T]; where 0 the step's state update is discarded (the
      state is carried through unchanged), so padded steps do not disturb it.
      The outputs at those steps are still computed; mask them in the loss.
      Layer by layer, each layer keeps its own state on those steps.
    remat: recompute each step's internals in the backward pass
      (`jax.checkpoint` on the scan body) instead of storing them: memory
      O(T · state) instead of O(T · activations). Off by default: it costs
      a second forward pass of every step and pays only for long sequences,
      where the stored activations would not fit.
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
  if state is None:
    state = initial_state(cell, xs.shape[0], xs.shape[1])
  masks_TxB = None if mask is None else _time_major(jnp.asarray(mask))

  def run(part: nnx.Module, xs_TxBxI: jax.Array, part_state: Any):
    if hasattr(part, "unroll_layers"):
      return part.unroll_layers(run, xs_TxBxI, part_state)
    hoisted = _hoist_input_projection(part, xs_TxBxI)
    if hoisted is not None:
      part, xs_TxBxI = hoisted
    return _scan(
      part,
      xs_TxBxI,
      part_state,
      masks_TxB,
      remat=remat,
      return_states=return_states,
      reverse=reverse,
      scan_unroll=scan_unroll,
    )

  final, ys_TxBxO, states = run(cell, _time_major(xs), state)
  if not return_states:
    return final, _time_major(ys_TxBxO)
  return Unrolled(final, _time_major(ys_TxBxO), jax.tree.map(_time_major, states))
