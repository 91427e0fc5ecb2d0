"""word2vec's sampling (Mikolov et al. 2013b, §2.2–2.3; the released code) against numpy."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.word2vec import sampling

COUNTS = np.array([0, 50, 30, 10, 5, 3, 1, 1])
EOS = 0
SIZES = ("batch_size", "window", "num_negatives", "eos", "per_pair_negatives")
sample_batch = jax.jit(sampling.sample_batch, static_argnames=SIZES)  # one compile, not op by op


def test_noise_distribution_is_the_unigram_to_the_three_quarters():
  expected = COUNTS**0.75 / (COUNTS**0.75).sum()
  np.testing.assert_allclose(sampling.noise_distribution(COUNTS), expected, rtol=1e-12)
  assert sampling.noise_distribution(COUNTS)[EOS] == 0.0


def test_noise_samples_follow_the_noise_distribution():
  draws = sampling.sample_noise(jax.random.key(0), sampling.noise_cdf(COUNTS), (200_000,))
  share = np.bincount(np.asarray(draws), minlength=len(COUNTS)) / draws.size
  np.testing.assert_allclose(share, sampling.noise_distribution(COUNTS), atol=4e-3)
  assert share[EOS] == 0.0


def test_noise_distribution_rejects_no_counts():
  with pytest.raises(ValueError, match="not all zero"):
    sampling.noise_distribution(np.zeros(3))


def test_keep_probability_paper_formula_is_one_minus_eq5_discard():
  f = COUNTS / COUNTS.sum()
  t = 1e-2
  keep = sampling.keep_probabilities(COUNTS, t, "paper")
  expected = np.where(COUNTS > 0, np.minimum(1.0, np.sqrt(t / np.where(f > 0, f, 1))), 1.0)
  np.testing.assert_allclose(keep, expected)
  assert keep[1] == pytest.approx(1 - (1 - np.sqrt(t / f[1])))  # eq. 5: P(discard) = 1 - sqrt(t/f)


def test_keep_probability_code_formula_is_sqrt_plus_ratio():
  f = COUNTS[1:] / COUNTS.sum()
  t = 1e-2
  keep = sampling.keep_probabilities(COUNTS, t, "code")[1:]
  expected = np.minimum(1.0, (np.sqrt(f / t) + 1) * t / f)  # word2vec.c's `ran`
  np.testing.assert_allclose(keep, expected)
  assert np.all(sampling.keep_probabilities(COUNTS, 0.0) == 1.0)


LENGTH = 20_000  # every corpus of this file: one compiled `subsample`
PAD = 15  # an id of keep probability 0, filling a short corpus up to LENGTH
subsample = jax.jit(sampling.subsample, static_argnums=3)


def test_subsample_keeps_words_at_their_rate_and_every_sentence_end():
  rng = np.random.default_rng(0)
  corpus = rng.choice([1, 2], size=LENGTH).astype(np.int32)
  corpus[::10] = EOS
  keep = jnp.zeros(PAD + 1).at[1].set(0.25).at[2].set(1.0)
  epoch = subsample(jax.random.key(1), jnp.asarray(corpus), keep, EOS)
  kept = np.asarray(epoch.tokens)[: int(epoch.num_kept)]
  assert (kept == EOS).sum() == (corpus == EOS).sum()
  assert (kept == 2).sum() == (corpus == 2).sum()
  assert (kept == 1).sum() / (corpus == 1).sum() == pytest.approx(0.25, abs=0.02)
  centres = np.asarray(epoch.centres)[: int(epoch.num_centres)]
  assert np.all(kept[centres] != EOS) and len(centres) == (kept != EOS).sum()


# Sentences of distinct words: 1 2 3 | 4 5 | 6 ... 14; the rest is dropped by subsampling.
SENTENCES = [1, 2, 3, EOS, 4, 5, EOS, *range(6, 15), EOS]
SENTENCE_OF = np.array([-1, 0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, -1])
WINDOW = 3
MIDDLE = 10  # a word with WINDOW words of its sentence on either side


@pytest.fixture(scope="module")
def batch():
  corpus = np.full(LENGTH, PAD, np.int32)
  corpus[: len(SENTENCES)] = SENTENCES
  keep = jnp.ones(PAD + 1).at[PAD].set(0.0)
  epoch = subsample(jax.random.key(0), jnp.asarray(corpus), keep, EOS)
  assert int(epoch.num_kept) == len(SENTENCES)
  drawn = sample_batch(jax.random.key(2), epoch, sampling.noise_cdf(COUNTS), batch_size=40_000,
                       window=WINDOW, num_negatives=2, eos=EOS)  # fmt: skip
  return tuple(np.asarray(x) for x in drawn)


def test_windows_stay_inside_the_centres_sentence(batch):
  centres, contexts, mask, negatives = batch
  assert np.all(
    SENTENCE_OF[contexts][mask] == np.broadcast_to(SENTENCE_OF[centres][:, None], mask.shape)[mask]
  )
  assert not np.any((contexts == centres[:, None]) & mask)  # each word occurs once
  assert mask[centres == 1][:, :WINDOW].sum() == 0  # nothing left of a sentence's first word
  assert negatives.shape == (40_000, 2 * WINDOW, 2)


def test_window_offsets_are_used_with_the_released_codes_rates(batch):
  # b ~ U{1..W}: offset ±k is used when b >= k, with probability (W - k + 1) / W.
  centres, _, mask, _ = batch
  used = mask[centres == MIDDLE].mean(0)
  offsets = sampling.window_offsets(WINDOW)
  np.testing.assert_allclose(used, (WINDOW - np.abs(offsets) + 1) / WINDOW, atol=0.04)


def test_cbow_batches_draw_negatives_per_centre():
  vector, scalar = jnp.zeros(4, jnp.int32), jnp.int32(4)
  epoch = sampling.Epoch(vector, scalar, vector, scalar, vector)
  shapes = jax.eval_shape(lambda e: sampling.sample_batch(
    jax.random.key(0), e, sampling.noise_cdf(COUNTS), batch_size=3, window=2,
    num_negatives=5, eos=EOS, per_pair_negatives=False), epoch)  # fmt: skip
  assert shapes.negatives.shape == (3, 5) and shapes.contexts.shape == (3, 4)
