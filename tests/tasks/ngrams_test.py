"""Tests for the dynamic N-grams task and its Bayes-optimal predictor (Graves et al. 2014, §4.4).

The shape, determinism, compile-once and bad-length checks are in ntm_tasks_test.py.
"""

import jax
import jax.numpy as jnp
import numpy as np

from memnets.tasks import base, ngrams

TASK = ngrams.NGrams()
MAX_LENGTH = 40
OPTIMAL_PROBABILITIES = jax.jit(ngrams.optimal_probabilities)
OPTIMAL_COST_BITS = jax.jit(ngrams.optimal_cost_bits)


@jax.jit
def sample(key, lengths):
  """The task's sampler at MAX_LENGTH."""
  return TASK.sample_lengths(key, lengths, MAX_LENGTH)


def _numpy_optimal(bits_N):
  """Direct count: for each t >= 5, what followed the same 5-bit context before t."""
  probs = np.full(len(bits_N), 0.5)
  for t in range(5, len(bits_N)):
    context = tuple(bits_N[t - 5 : t])
    followers = [bits_N[s] for s in range(5, t) if tuple(bits_N[s - 5 : s]) == context]
    probs[t] = (sum(followers) + 0.5) / (len(followers) + 1)
  return probs


def test_paper_sizes():
  assert (TASK.input_size, TASK.output_size, TASK.loss) == (1, 1, "bits")
  assert TASK.train_lengths == (200, 200) and TASK.min_length == 6
  assert ngrams.NUM_CONTEXTS == 32 and TASK.num_steps(200) == 199


def test_alignment_and_mask_for_mixed_lengths():
  lengths = np.array([40, 6, 17])
  inputs, targets, mask = (
    np.asarray(x)[..., 0] if x.ndim == 3 else np.asarray(x)
    for x in sample(jax.random.key(2), jnp.asarray(lengths))
  )
  # Scored: targets b_5 .. b_{N-1}, at steps 4 .. N-2.
  np.testing.assert_array_equal(mask.sum(axis=1), lengths - 5)
  for i, length in enumerate(lengths):
    np.testing.assert_array_equal(np.nonzero(mask[i])[0], np.arange(4, length - 1))
    # The target at step t is the input at step t + 1.
    np.testing.assert_array_equal(targets[i, : length - 2], inputs[i, 1 : length - 1])
    assert not inputs[i, length - 1 :].any() and not targets[i, length - 1 :].any()
  assert set(np.unique(inputs)) <= {0.0, 1.0}


def test_contexts_read_previous_five_bits_oldest_first():
  bits = np.array([[1, 0, 0, 1, 1, 0, 1, 1]])
  np.testing.assert_array_equal(ngrams.contexts(bits), [[0, 0, 0, 0, 0, 0b10011, 0b00110, 0b01101]])


def test_optimal_predictor_known_answer():
  # All zeros: context 0 followed by 0 once, then twice: 1/2, (0 + 1/2) / 2, (0 + 1/2) / 3.
  probs = OPTIMAL_PROBABILITIES(jnp.zeros((1, 8)))
  np.testing.assert_allclose(probs[0], [0.5] * 6 + [0.25, 1 / 6], rtol=1e-6)


def test_optimal_predictor_matches_direct_count():
  bits = np.asarray(sample(jax.random.key(3), jnp.full((3,), MAX_LENGTH, jnp.int32)).targets)
  sequences = np.concatenate([np.zeros((3, 1)), bits[..., 0]], axis=1)  # b_0 unused by counts
  probs = np.asarray(OPTIMAL_PROBABILITIES(sequences))
  for sequence, prob in zip(sequences.astype(int), probs, strict=True):
    np.testing.assert_allclose(prob, _numpy_optimal(list(sequence)), rtol=1e-6)


def test_optimal_cost_matches_direct_count():
  batch = sample(jax.random.key(4), jnp.array([MAX_LENGTH, 11, 6]))
  costs = np.asarray(OPTIMAL_COST_BITS(batch))
  sequences = np.asarray(ngrams.sequence_bits(batch)).astype(int)
  for i, length in enumerate([MAX_LENGTH, 11, 6]):
    probs = _numpy_optimal(list(sequences[i, :length]))[5:]
    observed = sequences[i, 5:length]
    expected = -np.sum(np.log2(np.where(observed == 1, probs, 1 - probs)))
    np.testing.assert_allclose(costs[i], expected, rtol=1e-5)


def test_sequences_are_predictable_from_context():
  # Fair coins would cost 1 bit per scored step; the 6-gram structure makes it cheaper.
  cost = ngrams.expected_optimal_cost_bits(jax.random.key(5), num_sequences=64, length=MAX_LENGTH)
  assert 0.4 * (MAX_LENGTH - 5) < float(cost) < 0.95 * (MAX_LENGTH - 5)


def test_optimal_cost_is_finite_on_padding():
  batch = base.Batch(
    inputs=jnp.zeros((1, 9, 1)), targets=jnp.zeros((1, 9, 1)), mask=jnp.zeros((1, 9))
  )
  assert float(OPTIMAL_COST_BITS(batch)[0]) == 0.0


def test_arcsine_is_beta_half_half():
  samples = np.asarray(ngrams.arcsine(jax.random.key(6), (20000,)))
  assert samples.min() >= 0 and samples.max() <= 1
  # Beta(1/2, 1/2): mean 1/2, variance 1/8, P(X < 0.1) = (2 / pi) arcsin(sqrt(0.1)).
  np.testing.assert_allclose(samples.mean(), 0.5, atol=0.01)
  np.testing.assert_allclose(samples.var(), 0.125, atol=0.005)
  np.testing.assert_allclose((samples < 0.1).mean(), 2 / np.pi * np.arcsin(np.sqrt(0.1)), atol=0.01)
