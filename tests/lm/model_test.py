"""The language model: columns, windowed likelihood, perplexity over tokens, scores and samples."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from memnets import lm
from memnets.lm import model as lm_model


def _model(vocab=7, cell="lstm", embedding_size=0):
  return lm.LanguageModel(
    vocab, cell=cell, hidden_size=8, embedding_size=embedding_size, rngs=nnx.Rngs(0)
  )


def _log_probs(model, ids):
  """log p of each token of `ids` after the first: one unroll over the whole sequence."""
  ids = np.asarray(ids)
  _, logits = model(model.initial_state(1), jnp.asarray(ids[None, :-1]))
  log_probs = np.asarray(jax.nn.log_softmax(logits[0]))
  return log_probs[np.arange(len(ids) - 1), ids[1:]]


def test_columns_cover_every_prediction_once_in_order():
  ids = np.arange(12, dtype=np.int32)
  data = lm_model.columns(ids, batch_size=3, multiple=2)
  assert data.inputs.shape == (3, 4)
  valid = data.mask.astype(bool)
  np.testing.assert_array_equal(data.inputs[valid], ids[:-1])
  np.testing.assert_array_equal(data.targets[valid], ids[1:])
  assert data.mask.sum() == 11
  with pytest.raises(ValueError, match="cannot fill"):
    lm_model.columns(ids[:3], batch_size=3)


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_stream_nll_carries_the_state_across_windows(cell):
  model = _model(cell=cell)
  ids = np.random.default_rng(0).integers(0, 7, size=17).astype(np.int32)
  data = lm_model.columns(ids, batch_size=1, multiple=4)
  nll, count = lm_model.stream_nll(model, data, window=4)
  assert count == 16
  np.testing.assert_allclose(nll, -_log_probs(model, ids).sum(), rtol=1e-5)


def test_perplexity_is_over_tokens_not_a_mean_over_columns():
  model = _model()
  ids = np.random.default_rng(1).integers(0, 7, size=23).astype(np.int32)
  data = lm_model.columns(ids, batch_size=2, multiple=3)  # unequal real tokens per column
  per_column = [ids[:13], ids[12:]]  # 12 and 10 predictions
  total = sum(-_log_probs(model, c).sum() for c in per_column)
  assert lm_model.perplexity(model, data, window=3) == pytest.approx(np.exp(total / 22), rel=1e-5)


def test_sentence_log_probs_score_the_words_then_eos_after_an_eos():
  model, eos = _model(), 0
  sentences = jnp.asarray([[3, 4, 5], [6, 0, 0]], jnp.int32)
  scores = lm_model.sentence_log_probs(model, sentences, jnp.asarray([3, 1]), eos)
  np.testing.assert_allclose(scores[0], _log_probs(model, [0, 3, 4, 5, 0]).sum(), rtol=1e-5)
  np.testing.assert_allclose(scores[1], _log_probs(model, [0, 6, 0]).sum(), rtol=1e-5)


def test_sampling_at_zero_temperature_is_greedy_and_sampling_follows_the_key():
  model = _model()
  greedy = lm_model.sample(model, jax.random.key(0), eos=0, max_length=6, temperature=0.0)
  state, previous, expected = model.initial_state(1), 0, []
  for _ in range(6):
    state, logits = model(state, jnp.asarray([[previous]]))
    previous = int(jnp.argmax(logits[0, 0]))
    expected.append(previous)
  np.testing.assert_array_equal(greedy, expected)
  first = lm_model.sample(model, jax.random.key(1), eos=0, max_length=20)
  np.testing.assert_array_equal(
    first, lm_model.sample(model, jax.random.key(1), eos=0, max_length=20)
  )
  assert first.shape == (20,) and int(first.max()) < 7


def test_embeddings_can_be_set_from_pretrained_vectors_and_sizes_are_checked():
  model = _model(embedding_size=3)
  vectors = np.arange(21, dtype=np.float32).reshape(7, 3)
  model.set_embeddings(vectors)
  np.testing.assert_array_equal(model.readout.embed.kernel[...], vectors)
  with pytest.raises(ValueError, match="shape"):
    model.set_embeddings(vectors[:, :2])
  with pytest.raises(ValueError, match="embedding_size"):
    _model().set_embeddings(vectors)
  with pytest.raises(ValueError, match="model.cell"):
    _model(cell="ntm")
