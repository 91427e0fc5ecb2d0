"""Cosine neighbours, analogies and category closeness on hand-built vectors."""

import numpy as np
import pytest

from memnets.word2vec import queries

# king - man + woman = queen on axes (royal, male, female); "zero" is the zero vector.
WORDS = ("king", "queen", "man", "woman", "prince", "zero")
VECTORS = np.array(
  [[1.0, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 1], [0.9, 1.1, 0.1], [0, 0, 0]], np.float32
)


def test_neighbours_are_by_cosine_and_exclude_the_query_word():
  found = queries.neighbours(VECTORS, WORDS, "king", k=2)
  assert [w for w, _ in found] == ["prince", "man"]  # cos 0.99, 0.71; queen: 0.5
  assert found[0][1] == pytest.approx(
    VECTORS[0] @ VECTORS[4] / np.linalg.norm(VECTORS[0]) / np.linalg.norm(VECTORS[4])
  )


def test_analogy_a_minus_b_plus_c_excludes_the_query_words():
  assert queries.analogy(VECTORS, WORDS, "king", "man", "woman")[0][0] == "queen"
  assert "king" not in [w for w, _ in queries.analogy(VECTORS, WORDS, "king", "man", "woman", k=5)]


def test_zero_vectors_have_similarity_zero_not_nan():
  similarity = queries.cosine_similarities(VECTORS, VECTORS[5])
  assert np.all(similarity == 0.0)
  found = queries.neighbours(VECTORS, WORDS, "zero", k=5)
  assert all(s == 0.0 for _, s in found)
  assert np.all(np.isfinite(queries.cosine_similarities(VECTORS, VECTORS[0])))


def test_unknown_words_raise_key_error():
  with pytest.raises(KeyError, match="emperor"):
    queries.neighbours(VECTORS, WORDS, "emperor")


def test_category_closeness_separates_words_that_share_contexts():
  categories = {"king": "royal", "prince": "royal", "man": "person", "woman": "person"}
  closeness = queries.category_closeness(VECTORS, WORDS, categories)
  unit = VECTORS / np.linalg.norm(VECTORS, axis=1, keepdims=True).clip(1e-12)
  same = np.mean([unit[0] @ unit[4], unit[2] @ unit[3]])
  different = np.mean([unit[i] @ unit[j] for i in (0, 4) for j in (2, 3)])
  assert closeness["same_category_cosine"] == pytest.approx(same)
  assert closeness["different_category_cosine"] == pytest.approx(different)
  # king and prince are each other's nearest; man's and woman's nearest is a royal word.
  assert closeness["nearest_same_category"] == pytest.approx(0.5)
  assert closeness["categorised_words"] == 4 and closeness["categories"] == 2
  with pytest.raises(ValueError, match="two categories"):
    queries.category_closeness(VECTORS, WORDS, {"king": "royal"})
