"""Tests for task losses and metrics, against plain numpy references."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import metrics

BATCH, STEPS, WIDTH = 3, 5, 4


def _data(seed=0, categorical=False):
  rng = np.random.default_rng(seed)
  logits = rng.normal(scale=3.0, size=(BATCH, STEPS, WIDTH)).astype(np.float32)
  if categorical:
    targets = np.eye(WIDTH, dtype=np.float32)[rng.integers(0, WIDTH, size=(BATCH, STEPS))]
  else:
    targets = rng.integers(0, 2, size=(BATCH, STEPS, WIDTH)).astype(np.float32)
  mask = np.array([[1, 1, 1, 1, 1], [0, 1, 1, 0, 0], [0, 0, 0, 0, 0]], np.float32)
  return logits, targets, mask


def _np_sigmoid_xent(logits, targets):
  p = 1 / (1 + np.exp(-logits.astype(np.float64)))
  return -(targets * np.log(p) + (1 - targets) * np.log(1 - p))


def _np_softmax_xent(logits, targets):
  z = logits.astype(np.float64)
  log_p = z - np.log(np.exp(z).sum(-1, keepdims=True))
  return -(targets * log_p).sum(-1)


def test_bits_loss_matches_numpy():
  logits, targets, mask = _data()
  per_step = _np_sigmoid_xent(logits, targets).sum(-1)
  expected = (per_step * mask).sum() / mask.sum()
  np.testing.assert_allclose(metrics.loss("bits", logits, targets, mask), expected, rtol=1e-5)


def test_sequence_sum_reduction_is_the_cost_per_sequence():
  logits, targets, mask = _data()
  per_step = _np_sigmoid_xent(logits, targets).sum(-1)
  expected = (per_step * mask).sum() / mask.shape[0]
  got = metrics.loss("bits", logits, targets, mask, reduction=metrics.SEQUENCE_SUM)
  np.testing.assert_allclose(got, expected, rtol=1e-5)
  with pytest.raises(ValueError, match="unknown loss reduction"):
    metrics.loss("bits", logits, targets, mask, reduction="mean")


def test_categorical_loss_matches_numpy():
  logits, targets, mask = _data(categorical=True)
  expected = (_np_softmax_xent(logits, targets) * mask).sum() / mask.sum()
  np.testing.assert_allclose(
    metrics.loss("categorical", logits, targets, mask), expected, rtol=1e-5
  )


def test_cost_bits_and_bit_errors_match_numpy():
  logits, targets, mask = _data(1)
  expected_cost = (_np_sigmoid_xent(logits, targets).sum(-1) * mask).sum(1) / math.log(2)
  np.testing.assert_allclose(metrics.cost_bits(logits, targets, mask), expected_cost, rtol=1e-5)
  wrong = ((logits > 0) != (targets == 1)).sum(-1)
  np.testing.assert_array_equal(metrics.bit_errors(logits, targets, mask), (wrong * mask).sum(1))


def test_accuracies_match_numpy():
  logits, targets, mask = _data(2, categorical=True)
  logits[0, :, :] = targets[0] * 10  # example 0: every step right
  logits[1] = targets[1] * 10
  logits[1, 2] = 0.0
  logits[1, 2, (targets[1, 2].argmax() + 1) % WIDTH] = 10.0  # example 1: one scored step wrong
  right = logits.argmax(-1) == targets.argmax(-1)
  expected_token = (right * mask).sum(1) / np.maximum(mask.sum(1), 1)
  np.testing.assert_allclose(metrics.token_accuracy(logits, targets, mask), expected_token)
  # Example 2 has no scored steps: token accuracy 0, sequence accuracy 1 (vacuously right).
  np.testing.assert_array_equal(metrics.sequence_accuracy(logits, targets, mask), [1.0, 0.0, 1.0])
  assert expected_token[0] == 1.0 and expected_token[1] == 0.5


def test_masking_ignores_padded_steps():
  logits, targets, mask = _data(3)
  garbage = logits.copy()
  garbage[mask == 0] = 1e4 * np.sign(np.random.default_rng(0).normal(size=garbage[mask == 0].shape))
  np.testing.assert_allclose(
    metrics.loss("bits", garbage, targets, mask), metrics.loss("bits", logits, targets, mask)
  )
  np.testing.assert_array_equal(
    metrics.bit_errors(garbage, targets, mask), metrics.bit_errors(logits, targets, mask)
  )
  np.testing.assert_allclose(
    metrics.cost_bits(garbage, targets, mask), metrics.cost_bits(logits, targets, mask)
  )
  logits, targets, mask = _data(3, categorical=True)
  garbage = logits.copy()
  garbage[mask == 0] = -logits[mask == 0] * 100
  for fn in (metrics.token_accuracy, metrics.sequence_accuracy):
    np.testing.assert_array_equal(fn(garbage, targets, mask), fn(logits, targets, mask))
  np.testing.assert_allclose(
    metrics.loss("categorical", garbage, targets, mask),
    metrics.loss("categorical", logits, targets, mask),
  )


def test_perfect_logits():
  _, targets, mask = _data(4)
  perfect = (2 * targets - 1) * 50.0
  np.testing.assert_array_equal(metrics.bit_errors(perfect, targets, mask), 0.0)
  assert float(metrics.loss("bits", perfect, targets, mask)) < 1e-6
  _, targets, mask = _data(4, categorical=True)
  perfect = targets * 50.0
  np.testing.assert_array_equal(metrics.token_accuracy(perfect, targets, mask)[:2], 1.0)
  np.testing.assert_array_equal(metrics.sequence_accuracy(perfect, targets, mask), 1.0)


def test_stable_at_extreme_logits():
  targets = np.array([[[1.0, 0.0]]], np.float32)
  logits = np.array([[[-1e4, 1e4]]], np.float32)  # confidently wrong on both bits
  mask = np.ones((1, 1), np.float32)
  np.testing.assert_allclose(metrics.loss("bits", logits, targets, mask), 2e4, rtol=1e-6)
  grads = jax.grad(lambda z: metrics.loss("bits", z, targets, mask))(logits)
  assert np.all(np.isfinite(grads))
  assert np.all(np.isfinite(metrics.loss("categorical", logits, targets, mask)))


def test_non_finite_padding_is_ignored():
  logits, targets, mask = _data(7)
  poisoned = logits.copy()
  poisoned[mask == 0] = np.nan
  np.testing.assert_allclose(
    metrics.loss("bits", poisoned, targets, mask), metrics.loss("bits", logits, targets, mask)
  )
  np.testing.assert_allclose(
    metrics.cost_bits(poisoned, targets, mask), metrics.cost_bits(logits, targets, mask)
  )


def test_all_masked_loss_is_zero():
  logits, targets, _ = _data(5)
  mask = np.zeros((BATCH, STEPS), np.float32)
  assert float(metrics.loss("bits", logits, targets, mask)) == 0.0


def test_summary_keys_and_values():
  logits, targets, mask = _data(6)
  bits = metrics.summary("bits", logits, targets, mask)
  assert set(bits) == {"loss", "bit_errors", "cost_bits"}
  np.testing.assert_allclose(bits["cost_bits"], metrics.cost_bits(logits, targets, mask).mean())
  logits, targets, mask = _data(6, categorical=True)
  cat = jax.jit(metrics.summary, static_argnums=0)("categorical", logits, targets, mask)
  assert set(cat) == {"loss", "token_accuracy", "sequence_accuracy"}
  assert all(np.shape(v) == () for v in cat.values())


@pytest.mark.parametrize(
  "fn", [lambda *a: metrics.loss("nats", *a), lambda *a: metrics.summary("nats", *a)]
)
def test_unknown_kind_raises(fn):
  with pytest.raises(ValueError, match="nats"):
    fn(*_data())


def _outlier_batch():
  """Four scored sequences of 8 bits: three nearly right, the last all wrong."""
  rng = np.random.default_rng(3)
  targets = rng.integers(0, 2, size=(4, 3, 8)).astype(np.float32)
  logits = np.where(targets > 0.5, 4.0, -4.0).astype(np.float32)
  logits[3] = -logits[3]
  mask = np.ones((4, 3), np.float32)
  return logits, targets, mask


def test_outlier_weights_bound_a_sequence_at_cap_times_the_median():
  logits, targets, mask = _outlier_batch()
  per_step = _np_sigmoid_xent(logits, targets).sum(-1) * mask  # [B, T]
  rho = per_step.sum(1) / mask.sum(1)
  cap = 5.0
  weights = np.asarray(metrics.outlier_weights(per_step, mask, cap))
  bound = cap * np.median(rho)
  np.testing.assert_allclose(weights[:3], 1.0)
  np.testing.assert_allclose(weights[3], bound / rho[3], rtol=1e-5)
  assert weights[3] < 0.05  # the all-wrong sequence is the outlier
  expected = (per_step * weights[:, None]).sum() / mask.sum()
  got = metrics.loss("bits", logits, targets, mask, outlier_cap=cap)
  np.testing.assert_allclose(got, expected, rtol=1e-5)
  # A cap above every ratio changes nothing.
  np.testing.assert_allclose(
    metrics.loss("bits", logits, targets, mask, outlier_cap=1e6),
    metrics.loss("bits", logits, targets, mask),
    rtol=1e-6,
  )


def test_outlier_cap_scales_the_outliers_gradient_and_keeps_the_others():
  logits, targets, mask = _outlier_batch()
  plain = jax.grad(lambda z: metrics.loss("bits", z, targets, mask))(logits)
  capped = jax.grad(lambda z: metrics.loss("bits", z, targets, mask, outlier_cap=5.0))(logits)
  np.testing.assert_allclose(capped[:3], plain[:3], rtol=1e-5)  # weights are constants
  ratio = np.asarray(capped[3]) / np.asarray(plain[3])
  np.testing.assert_allclose(ratio, ratio.flat[0], rtol=1e-4)  # same direction, scaled
  assert 0 < ratio.flat[0] < 0.05


def test_outlier_weights_are_one_without_scored_steps_or_loss():
  zeros = np.zeros((3, 4), np.float32)
  np.testing.assert_array_equal(metrics.outlier_weights(zeros, zeros, 2.0), 1.0)
  np.testing.assert_array_equal(metrics.outlier_weights(zeros, np.ones_like(zeros), 2.0), 1.0)
  logits, targets, mask = _data()  # the third sequence has no scored step
  grads = jax.grad(lambda z: metrics.loss("bits", z, targets, mask, outlier_cap=1.0))(logits)
  assert np.all(np.isfinite(grads))
  with pytest.raises(ValueError, match="cap must be > 0"):
    metrics.outlier_weights(zeros, zeros, 0.0)
  with pytest.raises(ValueError, match="outlier_cap"):
    metrics.loss("bits", logits, targets, mask, outlier_cap=-1.0)


def test_prefix_accuracy_counts_right_steps_before_the_first_error():
  # Four scored steps, the third wrong: two right before it, of four.
  targets = jax.nn.one_hot(jnp.array([[0, 1, 0, 1, 0]]), 2)
  logits = jax.nn.one_hot(jnp.array([[0, 1, 1, 1, 1]]), 2)
  mask = jnp.array([[1.0, 1.0, 1.0, 1.0, 0.0]])
  assert float(metrics.prefix_accuracy(logits, targets, mask)[0]) == 0.5
  assert float(metrics.token_accuracy(logits, targets, mask)[0]) == 0.75
  assert float(metrics.prefix_accuracy(logits, targets, jnp.zeros_like(mask))[0]) == 1.0
