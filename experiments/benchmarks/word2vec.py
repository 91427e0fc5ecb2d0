"""Speed of word2vec's training step (`memnets.word2vec.training`): words per second.

word2vec trains by epochs over a corpus, not through `memnets.training`'s
sampled steps, so its cases time the runner's own compiled chunk of
STEPS_PER_CALL SGD steps (batch sampling from the subsampled corpus on the
device, loss, gradient, update) on a random Zipfian corpus of CORPUS_WORDS
ids over VOCAB_SIZE words, a sentence end every SENTENCE_WORDS words, with
the `word2vec_grammar` config's model (100 dimensions, window 5, 5 noise
words, t = 1e-3). A "word" is a centre word: skip-gram trains up to 2W
pairs per centre, CBOW one. No corpus file is read.
"""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from experiments.benchmarks import timing
from experiments.configs import word2vec_grammar
from memnets.word2vec import sampling, training

VOCAB_SIZE = 10_000  # a small real corpus's vocabulary (the papers': up to 3M)
CORPUS_WORDS = 1_000_000
SENTENCE_WORDS = 20
STEPS_PER_CALL = 10  # SGD steps per compiled call, as the runner's `train.log_every` chunks
EOS = 0
TINY_VOCAB_SIZE, TINY_CORPUS_WORDS = 100, 10_000


def _corpus(vocab_size: int, words: int) -> np.ndarray:
  """Zipfian ids 1..V-1 (probability ∝ 1 / rank), a sentence end every SENTENCE_WORDS."""
  rng = np.random.default_rng(0)
  weights = 1.0 / np.arange(1, vocab_size)
  corpus = rng.choice(np.arange(1, vocab_size), size=words, p=weights / weights.sum())
  corpus[SENTENCE_WORDS :: SENTENCE_WORDS + 1] = EOS
  return corpus.astype(np.int32)


def measure(kind: str, batch_size: int, *, tiny: bool = False, **kwargs) -> dict[str, Any]:
  """One row of the benchmark table for word2vec `kind` ("skipgram" or "cbow").

  `kwargs`: `timing.time_calls`'s num_steps, min_steps, budget_s. The row
  has `timing.measure`'s keys where they apply (task "word2vec"; length: the
  window W; memory: the vocabulary size) and `train_words_per_s`.
  """
  rss_before = timing.rss_high_water_bytes()
  config = word2vec_grammar.get_config("smoke" if tiny else None)
  model = config.model
  vocab_size, words = (TINY_VOCAB_SIZE, TINY_CORPUS_WORDS) if tiny else (VOCAB_SIZE, CORPUS_WORDS)
  corpus = _corpus(vocab_size, words)
  counts = np.bincount(corpus, minlength=vocab_size)
  noise_counts = counts.copy()
  noise_counts[EOS] = 0
  keep = jnp.asarray(sampling.keep_probabilities(counts, model.sample, model.subsampling))
  epoch = jax.jit(sampling.subsample, static_argnums=3)(
    jax.random.key(1), jnp.asarray(corpus), keep.astype(jnp.float32), EOS
  )
  settings = training.Settings(kind=kind, batch_size=batch_size, window=model.window,
                               num_negatives=model.negatives)  # fmt: skip
  schedule = training.linear_decay(training.CODE_LEARNING_RATES[kind], 10**9)
  chunk = training.make_train_chunk(
    sampling.noise_cdf(noise_counts), EOS, settings, schedule, STEPS_PER_CALL
  )
  state = training.init_state(jax.random.key(0), vocab_size, model.dim)
  key = jax.random.key(2)

  def train(state):
    return chunk(state, epoch, key)[0]

  train_timing, _ = timing.time_calls(train, state, **kwargs)
  row = timing.runner_row(
    model=f"word2vec {kind}",
    task="word2vec",
    batch_size=batch_size,
    length=model.window,
    time_steps=None,
    memory=vocab_size,
    params=2 * vocab_size * model.dim,
    train=train_timing,
    forward=None,
    rss_before=rss_before,
    steps_per_call=STEPS_PER_CALL,
  )
  words_per_s = row.pop("train_sequences_per_s")  # a step's batch is words, not sequences
  return {**row, "train_sequences_per_s": None, "train_words_per_s": words_per_s}
