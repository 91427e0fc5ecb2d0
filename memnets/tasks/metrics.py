"""Losses and metrics of algorithmic tasks, on logits, targets and a step mask.

All functions take logits `[B, T, O]` (pre-sigmoid for "bits" tasks, pre-softmax
for "categorical" tasks), targets `[B, T, O]` (bits, or one-hot) and a mask
`[B, T]` of scored steps, and ignore unscored steps entirely.

- "bits" (Graves et al. 2014, §4): sigmoid cross-entropy summed over output
  bits; evaluation counts wrong bits (outputs thresholded at 1/2, i.e. logits
  > 0) and the cost in bits per sequence, the unit of the paper's learning
  curves.
- "categorical" (Delétang et al. 2023): softmax cross-entropy; per-step
  (token) accuracy and whole-sequence accuracy of the argmax.
"""

import math

import jax
import jax.numpy as jnp
import optax

from memnets.tasks import base


def _check_kind(kind: str) -> None:
  if kind not in base.LOSS_KINDS:
    raise ValueError(f"unknown loss kind {kind!r}; known: {base.LOSS_KINDS}")


def _masked(values_BxT: jax.Array, mask: jax.Array) -> jax.Array:
  """Mask-weighted values; unscored steps give exactly 0 even if their values are not finite."""
  return jnp.where(mask > 0, values_BxT * mask, 0.0)


def _step_losses(kind: str, logits: jax.Array, targets: jax.Array) -> jax.Array:
  """Cross-entropy per step in nats: [B, T]."""
  _check_kind(kind)
  if kind == "bits":
    return jnp.sum(optax.sigmoid_binary_cross_entropy(logits, targets), axis=-1)
  return optax.softmax_cross_entropy(logits, targets)


# How `loss` reduces the masked step losses of a batch to one number.
STEP_MEAN = "step_mean"  # mean over the batch's scored steps (memnets' default)
SEQUENCE_SUM = "sequence_sum"  # sum over each sequence, mean over the batch (Collier & Beel)
REDUCTIONS = (STEP_MEAN, SEQUENCE_SUM)


def outlier_weights(step_losses_BxT: jax.Array, mask: jax.Array, cap: float) -> jax.Array:
  """Per-sequence weights that bound each sequence's share of a batch's loss: [B].

  A sequence's loss per scored step above `cap` times the batch's median (over
  the sequences with scored steps) is weighted down to that bound; every
  other sequence weighs 1. The weights are constants of differentiation
  (`stop_gradient`), so a capped sequence's gradient keeps its direction and
  is scaled down. Where the median is 0 or no sequence is scored, every
  weight is 1.

  Args:
    step_losses_BxT: masked per-step losses [B, T] (0 at unscored steps).
    mask: [B, T].
    cap: the bound as a multiple of the median, > 0.
  """
  if cap <= 0:
    raise ValueError(f"cap must be > 0, got {cap}")
  scored_B = jnp.sum(mask, axis=1)
  per_step_B = jnp.sum(step_losses_BxT, axis=1) / jnp.maximum(scored_B, 1.0)
  median = jnp.nanmedian(jnp.where(scored_B > 0, per_step_B, jnp.nan))
  bound = cap * median
  over = jnp.isfinite(bound) & (bound > 0) & (per_step_B > bound)
  weights = jnp.where(over, bound / jnp.where(over, per_step_B, 1.0), 1.0)
  return jax.lax.stop_gradient(weights)


def loss(
  kind: str,
  logits: jax.Array,
  targets: jax.Array,
  mask: jax.Array,
  reduction: str = STEP_MEAN,
  outlier_cap: float = 0.0,
) -> jax.Array:
  """Training loss: cross-entropy (nats) per scored step, reduced over the batch.

  Args:
    kind: "bits" (sigmoid, summed over output bits) or "categorical" (softmax).
    logits: [B, T, O].
    targets: [B, T, O].
    mask: [B, T].
    reduction: "step_mean": sum of masked step losses / max(sum(mask), 1), so a
      scored step weighs the same in short and long sequences; "sequence_sum":
      sum of masked step losses / B, the cost per sequence (longer sequences
      weigh more, and the scale grows with the length).
    outlier_cap: > 0: each sequence's losses are weighted by
      `outlier_weights(..., outlier_cap)`, so no sequence's loss per scored
      step counts for more than `outlier_cap` times the batch median; 0: off.

  Returns:
    Scalar.
  """
  if reduction not in REDUCTIONS:
    raise ValueError(f"unknown loss reduction {reduction!r}; known: {REDUCTIONS}")
  if outlier_cap < 0:
    raise ValueError(f"outlier_cap must be >= 0, got {outlier_cap}")
  step_losses_BxT = _masked(_step_losses(kind, logits, targets), mask)
  if outlier_cap > 0:
    step_losses_BxT = step_losses_BxT * outlier_weights(step_losses_BxT, mask, outlier_cap)[:, None]
  if reduction == SEQUENCE_SUM:
    return jnp.sum(step_losses_BxT) / mask.shape[0]
  return jnp.sum(step_losses_BxT) / jnp.maximum(jnp.sum(mask), 1.0)


def bit_errors(logits: jax.Array, targets: jax.Array, mask: jax.Array) -> jax.Array:
  """Wrong output bits per sequence, outputs thresholded at 1/2 (logits > 0): [B]."""
  wrong_BxTxO = (logits > 0) != (targets > 0.5)
  return jnp.sum(wrong_BxTxO * mask[..., None], axis=(1, 2)).astype(jnp.float32)


def cost_bits(logits: jax.Array, targets: jax.Array, mask: jax.Array) -> jax.Array:
  """Sigmoid cross-entropy per sequence in bits (nats / ln 2), summed over scored steps: [B]."""
  return jnp.sum(_masked(_step_losses("bits", logits, targets), mask), axis=1) / math.log(2.0)


def _matches(logits: jax.Array, targets: jax.Array) -> jax.Array:
  return jnp.argmax(logits, axis=-1) == jnp.argmax(targets, axis=-1)


def token_accuracy(logits: jax.Array, targets: jax.Array, mask: jax.Array) -> jax.Array:
  """Fraction of scored steps whose argmax matches the target's: [B] (0 if none scored)."""
  correct_B = jnp.sum(_matches(logits, targets) * mask, axis=1)
  return correct_B / jnp.maximum(jnp.sum(mask, axis=1), 1.0)


def sequence_accuracy(logits: jax.Array, targets: jax.Array, mask: jax.Array) -> jax.Array:
  """1.0 for sequences whose every scored step's argmax matches, else 0.0: [B].

  A sequence with no scored steps counts as correct (1.0).
  """
  ok_BxT = _matches(logits, targets) | (mask == 0)
  return jnp.all(ok_BxT, axis=1).astype(jnp.float32)


def prefix_accuracy(logits: jax.Array, targets: jax.Array, mask: jax.Array) -> jax.Array:
  """Fraction of scored steps that are right before the first wrong one: [B].

  Grefenstette et al. 2015 (§4.3)'s "fine" accuracy: scored steps in time
  order, the count of right ones before the first error over the count of
  scored ones. A sequence with no scored steps scores 1.0 (as in
  `sequence_accuracy`).
  """
  scored_BxT = mask > 0
  wrong_BxT = scored_BxT & ~_matches(logits, targets)
  before_error_BxT = jnp.cumsum(wrong_BxT, axis=1) == 0
  correct_B = jnp.sum(scored_BxT & before_error_BxT, axis=1)
  total_B = jnp.sum(scored_BxT, axis=1)
  return jnp.where(total_B > 0, correct_B / jnp.maximum(total_B, 1), 1.0).astype(jnp.float32)


def summary(
  kind: str, logits: jax.Array, targets: jax.Array, mask: jax.Array
) -> dict[str, jax.Array]:
  """Scalar metrics for training logs, means over the batch.

  "bits": loss, bit_errors, cost_bits. "categorical": loss, token_accuracy,
  sequence_accuracy.
  """
  _check_kind(kind)
  metrics = {"loss": loss(kind, logits, targets, mask)}
  if kind == "bits":
    metrics["bit_errors"] = jnp.mean(bit_errors(logits, targets, mask))
    metrics["cost_bits"] = jnp.mean(cost_bits(logits, targets, mask))
  else:
    metrics["token_accuracy"] = jnp.mean(token_accuracy(logits, targets, mask))
    metrics["sequence_accuracy"] = jnp.mean(sequence_accuracy(logits, targets, mask))
  return metrics
