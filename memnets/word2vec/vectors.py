"""Word vectors in the word2vec text format, and as the initial embeddings of other models.

The released code's text output (`-binary 0`): a first line "V D", then V
lines "word v1 ... vD", fields separated by spaces. `save` writes it with
nine significant digits (float32 values round-trip exactly); `load` reads it
(and the released code's trailing space) and raises `VectorFormatError`,
naming the file and line, for anything else.

`initial_embeddings` gives the rows of a model's embedding matrix for its
own vocabulary: the file's vector for each word it holds, and for every other
word a small random vector drawn as word2vec initialises its vectors,
uniform in [−0.5/D, 0.5/D) (`missing="random"`, so no two missing words
start equal), or zeros (`missing="zero"`).
"""

import pathlib
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from absl import logging

MISSING = ("random", "zero")
_DIGITS = "%.9g"  # nine significant digits: float32 round-trips


class VectorFormatError(ValueError):
  """A file that is not in the word2vec text format; the message names the file and line."""


class WordVectors(NamedTuple):
  words: tuple[str, ...]
  vectors: np.ndarray  # [V, D] float32


def save(path, words: Sequence[str], vectors: np.ndarray) -> pathlib.Path:
  """Writes `words` and `vectors` [V, D] to `path` in the word2vec text format."""
  vectors = np.asarray(vectors, np.float32)
  if vectors.ndim != 2 or vectors.shape[0] != len(words):
    raise ValueError(f"{len(words)} words but vectors of shape {vectors.shape}")
  for word in words:
    if not word or any(ch.isspace() for ch in word):
      raise ValueError(f"{word!r}: a word in the text format must be non-empty, without spaces")
  path = pathlib.Path(path)
  path.parent.mkdir(parents=True, exist_ok=True)
  with open(path, "w", encoding="utf-8") as file:
    file.write(f"{len(words)} {vectors.shape[1]}\n")
    for word, row in zip(words, vectors, strict=True):
      file.write(word + " " + " ".join(_DIGITS % x for x in row) + "\n")
  return path


def _header(path, line: str) -> tuple[int, int]:
  fields = line.split()
  if len(fields) != 2 or not all(f.isdigit() for f in fields):
    raise VectorFormatError(f"{path}:1: expected the header 'V D' (two integers), got {line!r}")
  size, dim = int(fields[0]), int(fields[1])
  if dim == 0:
    raise VectorFormatError(f"{path}:1: the dimension D must be positive")
  return size, dim


def load(path) -> WordVectors:
  """Reads a word2vec text file: its words and float32 vectors [V, D]."""
  path = pathlib.Path(path)
  if not path.is_file():
    raise FileNotFoundError(f"{path}: no such word-vector file")
  with open(path, encoding="utf-8", errors="strict") as file:
    try:
      lines = file.read().splitlines()
    except UnicodeDecodeError as error:
      raise VectorFormatError(f"{path}: not UTF-8 text ({error.reason})") from None
  if not lines:
    raise VectorFormatError(f"{path}:1: empty file; expected the header 'V D'")
  size, dim = _header(path, lines[0])
  body = lines[1:]
  while body and not body[-1].strip():  # blank lines at the end of the file
    body.pop()
  if len(body) != size:
    raise VectorFormatError(f"{path}: the header promises {size} vectors, found {len(body)} lines")
  words, vectors, seen = [], np.empty((size, dim), np.float32), {}
  for row, line in enumerate(body):
    number = row + 2
    fields = line.split()
    if len(fields) != dim + 1:
      raise VectorFormatError(
        f"{path}:{number}: expected a word and {dim} numbers, got {len(fields)} fields"
      )
    word = fields[0]
    if word in seen:
      raise VectorFormatError(f"{path}:{number}: {word!r} already on line {seen[word]}")
    seen[word] = number
    try:
      vectors[row] = [float(x) for x in fields[1:]]
    except ValueError as error:
      raise VectorFormatError(f"{path}:{number}: {error}") from None
    if not np.all(np.isfinite(vectors[row])):
      raise VectorFormatError(f"{path}:{number}: {word!r} has a non-finite component")
    words.append(word)
  return WordVectors(tuple(words), vectors)


def initial_embeddings(
  path, vocabulary_words: Sequence[str], dim: int, *, missing: str = "random", seed: int = 0
) -> np.ndarray:
  """An embedding matrix [V, dim] float32 for `vocabulary_words` from the vectors in `path`.

  Row i is the file's vector of vocabulary_words[i]; a word the file lacks
  gets uniform [−0.5/dim, 0.5/dim) noise from `seed` ("random") or zeros
  ("zero"). Raises ValueError when the file's dimension is not `dim`.
  """
  if missing not in MISSING:
    raise ValueError(f"missing: {missing!r} is not one of {MISSING}")
  loaded = load(path)
  if loaded.vectors.shape[1] != dim:
    raise ValueError(f"{path}: vectors of dimension {loaded.vectors.shape[1]}, expected {dim}")
  shape = (len(vocabulary_words), dim)
  if missing == "random":
    table = ((np.random.default_rng(seed).random(shape) - 0.5) / dim).astype(np.float32)
  else:
    table = np.zeros(shape, np.float32)
  index = {w: i for i, w in enumerate(loaded.words)}
  found = [(row, index[w]) for row, w in enumerate(vocabulary_words) if w in index]
  if found:
    rows, sources = zip(*found, strict=True)
    table[list(rows)] = loaded.vectors[list(sources)]
  logging.info("%s: vectors for %d of %d words", path, len(found), len(vocabulary_words))
  return table
