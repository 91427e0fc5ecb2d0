"""word2vec's data on the device: the noise distribution, subsampling and window sampling.

Mikolov et al. 2013b (Distributed Representations of Words and Phrases, §2.2–2.3)
and the authors' released `word2vec.c`:

- Noise distribution for negative sampling: the unigram distribution raised
  to the 3/4 power, P_n(w) = U(w)^{3/4} / Z (§2.2). The released code draws
  from a table of 1e8 entries filled by this distribution; we draw by inverse
  transform sampling from its cumulative sum (`noise_cdf`), the same law
  without the table's rounding.
- Subsampling of frequent words (§2.3, eq. 5): word w_i is discarded with
  probability P(w_i) = 1 − sqrt(t / f(w_i)), f the word's share of the
  corpus. The released code keeps a word with probability
  (sqrt(f / t) + 1) · t / f = sqrt(t / f) + t / f instead (a little more of
  each frequent word); `keep_probabilities` computes either (`formula`
  "paper" or "code", clipped to 1), and the configs use the code's.
- Window sampling (Mikolov et al. 2013a, §3.1; the released code): for each
  centre word a window size b is drawn uniformly from 1..W and the words
  within b positions on either side, inside the same sentence, are its
  contexts. Subsampled words are removed before windows are formed, so a
  window reaches over them.

The corpus is one int32 id array with an end-of-sentence id after every line
(`memnets.tasks.text.stream`). `subsample` draws one epoch's kept words from a
key and packs them to the front of the array (static shapes, so it jits);
`sample_batch` draws a batch of centres from the packed array with
`key = fold_in(seed, step)`. Centres are drawn uniformly with replacement
rather than visited in order as the released code does.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

NOISE_POWER = 0.75  # §2.2: U(w)^{3/4}


def noise_distribution(counts: np.ndarray, power: float = NOISE_POWER) -> np.ndarray:
  """P_n(w) = count(w)^power / Σ_v count(v)^power, float64 [V] (§2.2); zero counts get zero."""
  counts = np.asarray(counts, np.float64)
  if counts.ndim != 1 or np.any(counts < 0) or not np.any(counts > 0):
    raise ValueError("counts must be a 1-d array of non-negative counts, not all zero")
  weights = np.where(counts > 0, counts, 0.0) ** power
  return weights / weights.sum()


def noise_cdf(counts: np.ndarray, power: float = NOISE_POWER) -> jax.Array:
  """The cumulative noise distribution, float32 [V], its last entry exactly 1."""
  cdf = np.cumsum(noise_distribution(counts, power))
  cdf[-1] = 1.0
  return jnp.asarray(cdf, jnp.float32)


def sample_noise(key: jax.Array, cdf: jax.Array, shape: tuple[int, ...]) -> jax.Array:
  """Ids drawn from the noise distribution by inverse transform: the first w with cdf[w] > u."""
  u = jax.random.uniform(key, shape)
  ids = jnp.searchsorted(cdf, u, side="right")
  return jnp.minimum(ids, cdf.shape[0] - 1).astype(jnp.int32)


def keep_probabilities(counts: np.ndarray, threshold: float, formula: str = "code") -> np.ndarray:
  """The probability that each word is kept by subsampling, float64 [V] (§2.3, eq. 5).

  f(w) = count(w) / Σ count. "paper": min(1, sqrt(t / f)), one minus eq. 5's
  discard probability; "code": min(1, sqrt(t / f) + t / f), the released
  code's. A threshold t <= 0 keeps every word; words of count 0 get 1.
  """
  counts = np.asarray(counts, np.float64)
  if formula not in ("paper", "code"):
    raise ValueError(f"formula: {formula!r} is not 'paper' or 'code'")
  if threshold <= 0:
    return np.ones_like(counts)
  ratio = threshold / np.where(counts > 0, counts / counts.sum(), 1.0)  # t / f
  keep = np.sqrt(ratio) + (ratio if formula == "code" else 0.0)
  return np.where(counts > 0, np.minimum(keep, 1.0), 1.0)


class Epoch(NamedTuple):
  """One epoch's corpus after subsampling, packed to the front (static shapes).

  tokens: the kept ids in corpus order, then the discarded ones (never read).
  num_kept: how many of `tokens` are kept (the sentence ends always are).
  centres: positions in `tokens` of the kept words that are not sentence ends, then padding.
  num_centres: how many of `centres` are real.
  sentence: [N] the number of sentence ends in `tokens` up to and including each position.
  """

  tokens: jax.Array
  num_kept: jax.Array
  centres: jax.Array
  num_centres: jax.Array
  sentence: jax.Array


def subsample(key: jax.Array, corpus: jax.Array, keep: jax.Array, eos: int) -> Epoch:
  """Keeps each word of `corpus` with probability keep[word] (end-of-sentence ids always)."""
  is_eos = corpus == eos
  kept = is_eos | (jax.random.uniform(key, corpus.shape) < keep[corpus])
  order = jnp.argsort(~kept, stable=True)
  tokens = corpus[order]
  num_kept = kept.sum().astype(jnp.int32)
  position = jnp.arange(corpus.shape[0])
  is_word = (position < num_kept) & (tokens != eos)
  centres = jnp.argsort(~is_word, stable=True).astype(jnp.int32)
  sentence = jnp.cumsum(tokens == eos).astype(jnp.int32)
  return Epoch(tokens, num_kept, centres, is_word.sum().astype(jnp.int32), sentence)


class Batch(NamedTuple):
  """Centre words with their window's contexts and the noise words.

  centres: [B] ids. contexts: [B, 2W] ids at offsets -W..-1, 1..W.
  context_mask: [B, 2W] which contexts are inside the drawn window and sentence.
  negatives: [B, 2W, K] (skip-gram: K per centre–context pair) or [B, K] (CBOW: per centre).
  """

  centres: jax.Array
  contexts: jax.Array
  context_mask: jax.Array
  negatives: jax.Array


def window_offsets(window: int) -> np.ndarray:
  """The offsets -W..-1, 1..W of a centre's context slots."""
  return np.concatenate([np.arange(-window, 0), np.arange(1, window + 1)]).astype(np.int32)


def sample_batch(
  key: jax.Array,
  epoch: Epoch,
  cdf: jax.Array,
  *,
  batch_size: int,
  window: int,
  num_negatives: int,
  eos: int,
  per_pair_negatives: bool = True,
) -> Batch:
  """A batch of `batch_size` centres drawn uniformly from the epoch's kept words.

  Each centre's window size b is drawn from 1..window (the released code's
  `b = rand % window`, then offsets up to window − b); a context slot counts
  when |offset| <= b, it lies among the kept words and no sentence end lies
  between it and the centre. Negatives: K per context slot
  (`per_pair_negatives`, skip-gram) or K per centre (CBOW).
  """
  centre_key, size_key, noise_key = jax.random.split(key, 3)
  index = jax.random.randint(centre_key, (batch_size,), 0, jnp.maximum(epoch.num_centres, 1))
  position = epoch.centres[index]
  sizes = jax.random.randint(size_key, (batch_size, 1), 1, window + 1)
  offsets = jnp.asarray(window_offsets(window))
  where = position[:, None] + offsets[None, :]
  inside = (where >= 0) & (where < epoch.num_kept)
  clipped = jnp.clip(where, 0, epoch.tokens.shape[0] - 1)
  contexts = epoch.tokens[clipped]
  # A sentence end between centre and context changes the running count of sentence ends.
  same_sentence = (epoch.sentence[clipped] == epoch.sentence[position][:, None]) & (contexts != eos)
  mask = inside & same_sentence & (jnp.abs(offsets)[None, :] <= sizes)
  shape = (batch_size, 2 * window, num_negatives) if per_pair_negatives else (
    batch_size, num_negatives)  # fmt: skip
  negatives = sample_noise(noise_key, cdf, shape)
  return Batch(epoch.tokens[position], contexts, mask, negatives)
