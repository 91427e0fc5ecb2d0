"""word2vec's training: plain SGD with the released code's linearly decaying learning rate.

The released `word2vec.c` updates the vectors after every (centre, context)
pair with rate α = α₀ · max(1 − words done / (epochs · corpus words), 1e-4),
α₀ = 0.025 for skip-gram and 0.05 for CBOW. Here a step is a batch of
centres (`sampling.sample_batch`) and the update is α times the gradient of
the batch's summed loss (`losses.loss`): the per-pair updates applied at
once, and, as in the code, only to the rows the batch read (`apply_to_rows`,
equal to the dense update). α falls linearly with the step, which is proportional to the words done.

The state is a NamedTuple of the step and the two embedding matrices; a
chunk of steps is one compiled `jax.lax.scan` whose step keys are
`fold_in(key, step)`, so a run is a function of its seed and settings.
"""

import dataclasses
from collections.abc import Callable
from typing import NamedTuple

import jax
import jax.numpy as jnp

from memnets.word2vec import losses, sampling

MIN_RATE_FRACTION = 1e-4  # the released code never lets α fall below α₀ · 1e-4
CODE_LEARNING_RATES = {"skipgram": 0.025, "cbow": 0.05}  # the released code's α₀


def linear_decay(initial: float, total_steps: int) -> Callable[[jax.Array], jax.Array]:
  """α(step) = initial · max(1 − step / total_steps, MIN_RATE_FRACTION), an optax-style schedule."""
  if initial <= 0 or total_steps <= 0:
    raise ValueError(f"need initial > 0 and total_steps > 0, got {initial} and {total_steps}")

  def schedule(step):
    done = jnp.asarray(step, jnp.float32) / total_steps
    return initial * jnp.maximum(1.0 - done, MIN_RATE_FRACTION)

  return schedule


@dataclasses.dataclass(frozen=True)
class Settings:
  """What one step needs besides the data: the model and the sampling sizes."""

  kind: str = "skipgram"  # "skipgram" or "cbow"
  batch_size: int = 256  # centre words per step
  window: int = 5  # the largest window W
  num_negatives: int = 5  # noise words k per positive word (§2.2: 5–20 for small data)
  context_gradient: str = "code"  # CBOW only: see `losses`


class TrainState(NamedTuple):
  step: jax.Array  # steps done
  params: losses.Embeddings


class StepMetrics(NamedTuple):
  loss: jax.Array  # the step's mean loss per term (per pair for skip-gram, per centre for CBOW)
  terms: jax.Array  # the number of terms
  learning_rate: jax.Array


def sgd_step(
  state: TrainState,
  epoch: sampling.Epoch,
  key: jax.Array,
  cdf: jax.Array,
  eos: int,
  settings: Settings,
  schedule: Callable[[jax.Array], jax.Array],
) -> tuple[TrainState, StepMetrics]:
  """One step: sample a batch with fold_in(key, step), then params −= α(step) · ∇ summed loss."""
  batch = sampling.sample_batch(
    jax.random.fold_in(key, state.step), epoch, cdf, batch_size=settings.batch_size,
    window=settings.window, num_negatives=settings.num_negatives, eos=eos,
    per_pair_negatives=settings.kind == "skipgram",
  )  # fmt: skip

  def summed(rows):
    return losses.rows_loss(rows, batch, settings.kind, settings.context_gradient)

  rows = losses.gather(state.params, batch, settings.kind)
  (total, terms), grads = jax.value_and_grad(summed, has_aux=True)(rows)
  rate = schedule(state.step)
  params = apply_to_rows(state.params, losses.row_ids(batch, settings.kind), grads, -rate)
  mean = total / jnp.maximum(terms, 1)
  return TrainState(state.step + 1, params), StepMetrics(mean, terms, rate)


def apply_to_rows(
  params: losses.Embeddings, ids: losses.Rows, grads: losses.Rows, scale
) -> losses.Embeddings:
  """params + scale · gradient, added row by row to the rows read (repeated ids add up).

  The same as a step on the dense gradient of the matrices, without forming
  it: only the batch's rows are written (the released code's sparse update).
  """
  dim = params.input.shape[1]

  def add(matrix, index, grad):
    return matrix.at[index.reshape(-1)].add(scale * grad.reshape(-1, dim))

  output = add(add(params.output, ids.positives, grads.positives), ids.negatives, grads.negatives)
  return losses.Embeddings(add(params.input, ids.inputs, grads.inputs), output)


def make_train_chunk(cdf: jax.Array, eos: int, settings: Settings, schedule, num_steps: int):
  """A jitted `(state, epoch, key) -> (state, StepMetrics [num_steps])`: `num_steps` SGD steps."""

  def chunk(state, epoch, key):
    def body(state, _):
      return sgd_step(state, epoch, key, cdf, eos, settings, schedule)

    return jax.lax.scan(body, state, None, length=num_steps)

  return jax.jit(chunk, donate_argnums=0)


def init_state(key: jax.Array, vocab_size: int, dim: int) -> TrainState:
  """Step 0 with the released code's initial vectors (`losses.init_embeddings`)."""
  return TrainState(jnp.zeros((), jnp.int32), losses.init_embeddings(key, vocab_size, dim))
