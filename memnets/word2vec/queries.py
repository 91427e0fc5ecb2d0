"""Questions asked of trained word vectors: cosine neighbours, analogies, category closeness.

Cosine similarity cos(u, v) = u · v / (|u| |v|) is computed on vectors
normalised with their norm floored at NORM_FLOOR, so a zero vector is
similar to nothing (similarity 0) instead of NaN. The analogy query
(Mikolov et al. 2013a, §4.1) "a is to b as c is to ?" is answered by the
words nearest to the vector a − b + c of the normalised vectors, the query
words excluded, as the released code's `word-analogy` does (there the three
words are written b a c: vector(b) − vector(a) + vector(c)).

`category_closeness` measures "words that share contexts end up closer than
words that do not": the mean cosine similarity of pairs of words of one
category and of pairs from different categories, and the share of words
whose nearest neighbour is of their own category.
"""

from collections.abc import Mapping, Sequence

import numpy as np

NORM_FLOOR = 1e-12  # norms below this count as this: a zero vector normalises to zero


def normalize(vectors: np.ndarray) -> np.ndarray:
  """Each row divided by its norm (floored at NORM_FLOOR), float64 [V, D]."""
  vectors = np.asarray(vectors, np.float64)
  norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
  return vectors / np.maximum(norms, NORM_FLOOR)


def cosine_similarities(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
  """cos(vectors[i], query) for every row i, [V]; 0 where either vector is zero."""
  return normalize(vectors) @ normalize(np.asarray(query)[None])[0]


def nearest(
  vectors: np.ndarray, query: np.ndarray, k: int, exclude: Sequence[int] = ()
) -> list[tuple[int, float]]:
  """The k rows most cosine-similar to `query`, rows in `exclude` left out: (id, similarity)."""
  similarity = cosine_similarities(vectors, query)
  similarity[list(exclude)] = -np.inf
  order = np.argsort(-similarity, kind="stable")[: min(k, len(similarity) - len(set(exclude)))]
  return [(int(i), float(similarity[i])) for i in order]


def _ids(words: Sequence[str], *query: str) -> list[int]:
  index = {w: i for i, w in enumerate(words)}
  missing = [w for w in query if w not in index]
  if missing:
    raise KeyError(f"not in the vocabulary: {missing}")
  return [index[w] for w in query]


def neighbours(
  vectors: np.ndarray, words: Sequence[str], word: str, k: int = 10
) -> list[tuple[str, float]]:
  """The k words nearest to `word` by cosine similarity, `word` itself excluded."""
  (i,) = _ids(words, word)
  return [(words[j], s) for j, s in nearest(vectors, vectors[i], k, exclude=(i,))]


def analogy(
  vectors: np.ndarray, words: Sequence[str], a: str, b: str, c: str, k: int = 1
) -> list[tuple[str, float]]:
  """The k words nearest to â − b̂ + ĉ (unit vectors), a, b and c excluded: king − man + woman."""
  ids = _ids(words, a, b, c)
  unit = normalize(vectors)
  query = unit[ids[0]] - unit[ids[1]] + unit[ids[2]]
  return [(words[j], s) for j, s in nearest(unit, query, k, exclude=ids)]


def category_closeness(
  vectors: np.ndarray, words: Sequence[str], categories: Mapping[str, str]
) -> dict[str, float | int]:
  """Same-category vs different-category cosine similarity of the words in `categories`.

  Returns `same_category_cosine` and `different_category_cosine` (means over
  unordered pairs), their difference `category_margin`, `nearest_same_category`
  (the share of words whose nearest other word, among the categorised ones, is
  of their category), and the numbers of words and categories used. Words
  not in `words` are skipped; at least two categories are needed.
  """
  chosen = [(i, categories[w]) for i, w in enumerate(words) if w in categories]
  labels = [label for _, label in chosen]
  if len(set(labels)) < 2:
    raise ValueError(f"need words of at least two categories, found {sorted(set(labels))}")
  unit = normalize(np.asarray(vectors)[[i for i, _ in chosen]])
  similarity = unit @ unit.T
  label_ids = np.unique(labels, return_inverse=True)[1]
  same = label_ids[:, None] == label_ids[None, :]
  upper = np.triu(np.ones_like(same), k=1)
  same_pairs, different_pairs = upper & same, upper & ~same
  np.fill_diagonal(similarity, -np.inf)
  nearest_same = same[np.arange(len(chosen)), np.argmax(similarity, axis=1)]
  same_mean = float(similarity[same_pairs].mean()) if same_pairs.any() else float("nan")
  different_mean = float(similarity[different_pairs].mean())
  return {
    "same_category_cosine": same_mean,
    "different_category_cosine": different_mean,
    "category_margin": same_mean - different_mean,
    "nearest_same_category": float(nearest_same.mean()),
    "categorised_words": len(chosen),
    "categories": len(set(labels)),
  }
