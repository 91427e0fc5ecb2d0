"""Pretrained word vectors as the bAbI models' starting embeddings."""

import numpy as np
import pytest
from flax import nnx

from memnets import qa


def _vectors(vocab, dim):
  return np.arange(1, vocab * dim + 1, dtype=np.float32).reshape(vocab, dim)


@pytest.mark.parametrize("tying", ["adjacent", "layerwise"])
def test_every_memn2n_table_starts_at_the_vectors_with_the_nil_word_at_zero(tying):
  model = qa.MemN2N(6, dim=3, hops=2, max_sentences=4, tying=tying, rngs=nnx.Rngs(0))
  qa.set_word_vectors(model, _vectors(6, 3))
  expected = _vectors(6, 3)
  expected[0] = 0
  for table in model.words:
    np.testing.assert_array_equal(table[...], expected)


def test_dmn_plus_embedding_starts_at_the_vectors():
  model = qa.DMNPlus(5, dim=4, passes=1, rngs=nnx.Rngs(0))
  qa.set_word_vectors(model, _vectors(5, 4))
  np.testing.assert_array_equal(model.embedding.embedding[...][1:], _vectors(5, 4)[1:])


def test_wrong_shapes_and_readers_without_a_table_are_refused():
  model = qa.DMNPlus(5, dim=4, passes=1, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match=r"shape \(5, 3\)"):
    qa.set_word_vectors(model, _vectors(5, 3))
  reader = qa.SequenceReader(5, cell="lstm", length=4, hidden_size=3, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="no embedding"):
    qa.set_word_vectors(reader, _vectors(5, 3))
