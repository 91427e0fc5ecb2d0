"""A registry task's batch as an encoder-decoder's (source, target) pairs, jit-able.

A transduction batch (copy, reverse_string, priority_sort, the Grefenstette
tasks) is one sequence: the source steps (input, not scored), then the
scored steps whose targets are the output. `split` gathers each example's
source steps (unscored steps with any input) to the front, and its scored
targets to the front, with masks: static shapes [B, T, ...], so it runs
inside the jitted step.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp


class Pairs(NamedTuple):
  source: jax.Array  # [B, T, I], the source vectors first
  source_mask: jax.Array  # [B, T] float32
  target: jax.Array  # [B, T, O], the scored targets first
  target_mask: jax.Array  # [B, T] float32


def _front(flags_BxT: jax.Array, values_BxTxD: jax.Array) -> tuple[jax.Array, jax.Array]:
  order = jnp.argsort(jnp.where(flags_BxT > 0, 0, 1), axis=1, stable=True)
  moved = jnp.take_along_axis(values_BxTxD, order[..., None], axis=1)
  return moved, jnp.take_along_axis(flags_BxT, order, axis=1)


def split(inputs_BxTxI: jax.Array, targets_BxTxO: jax.Array, mask_BxT: jax.Array) -> Pairs:
  """The (source, target) pairs of a task batch (see the module docstring)."""
  scored = mask_BxT.astype(jnp.float32)
  source_flags = (1.0 - scored) * (jnp.abs(inputs_BxTxI).sum(-1) > 0)
  source, source_mask = _front(source_flags, inputs_BxTxI)
  target, target_mask = _front(scored, targets_BxTxO)
  return Pairs(source, source_mask, target, target_mask)
