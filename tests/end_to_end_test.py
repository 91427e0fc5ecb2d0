"""End to end through the programmatic API: an NTM and a DNC learn short copies.

Builds an `NTMCell` (or a `DNCCell`), samples copy batches (lengths 1–5) on the device, unrolls
with `memnets.unrolling.unroll`, and trains with optax. The loss after a few
hundred steps must be a stated factor below the loss at the start.
"""

import jax
import jax.numpy as jnp
import optax
import pytest
from flax import nnx

from memnets import DNCCell, NTMCell, tasks
from memnets.tasks import metrics
from memnets.unrolling import unroll

STEPS = 300
BATCH_SIZE = 16
LOSS_REDUCTION = 3.0  # final loss at least this many times below the initial loss


@pytest.mark.parametrize("cell_class", [NTMCell, DNCCell])
def test_memory_cell_learns_short_copies(cell_class):
  task = tasks.get("copy")
  sizes = dict(controller_size=32, memory_size=16, word_size=8)
  if cell_class is DNCCell:
    sizes["num_read_heads"] = 1
  cell = cell_class(task.input_size, task.output_size, **sizes, rngs=nnx.Rngs(0))
  graphdef, params = nnx.split(cell, nnx.Param)
  optimizer = optax.chain(optax.clip_by_global_norm(10.0), optax.adam(1e-2))

  def loss_fn(params, key):
    batch = task.sample(key, BATCH_SIZE, (1, 5))
    _, logits = unroll(nnx.merge(graphdef, params), batch.inputs)
    return metrics.loss(task.loss, logits, batch.targets, batch.mask)

  @jax.jit
  def train(params, opt_state):
    def step(carry, i):
      params, opt_state = carry
      loss, grads = jax.value_and_grad(loss_fn)(params, jax.random.fold_in(jax.random.key(1), i))
      updates, opt_state = optimizer.update(grads, opt_state, params)
      return (optax.apply_updates(params, updates), opt_state), loss

    (params, opt_state), losses = jax.lax.scan(step, (params, opt_state), jnp.arange(STEPS))
    return params, losses

  _, losses = train(params, optimizer.init(params))
  initial, final = float(jnp.mean(losses[:10])), float(jnp.mean(losses[-10:]))
  assert jnp.all(jnp.isfinite(losses))
  assert final * LOSS_REDUCTION < initial, (initial, final)
