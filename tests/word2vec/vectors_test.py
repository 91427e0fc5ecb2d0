"""The word2vec text format: "V D", then "word v1 ... vD"; a loader that names file and line."""

import numpy as np
import pytest

from memnets.word2vec import vectors

WORDS = ("the", "cat", "sat", "<eos>")


def test_text_format_round_trips_float32_exactly(tmp_path):
  table = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
  path = vectors.save(tmp_path / "v.txt", WORDS, table)
  assert path.read_text().splitlines()[0] == "4 3"
  assert path.read_text().splitlines()[2].split()[0] == "cat"
  loaded = vectors.load(path)
  assert loaded.words == WORDS
  np.testing.assert_array_equal(loaded.vectors, table)


def test_loader_reads_the_released_codes_trailing_spaces(tmp_path):
  (tmp_path / "v.txt").write_text("2 2\n</s> 0.1 0.2 \nthe -1 3e-2 \n")
  loaded = vectors.load(tmp_path / "v.txt")
  assert loaded.words == ("</s>", "the")
  np.testing.assert_allclose(loaded.vectors, [[0.1, 0.2], [-1, 0.03]], rtol=1e-7)


@pytest.mark.parametrize(
  ("text", "where", "what"),
  [
    ("", ":1:", "empty file"),
    ("2\nthe 1\n", ":1:", "header"),
    ("1 x\nthe 1\n", ":1:", "header"),
    ("2 2\nthe 1 2\ncat 1\n", ":3:", "expected a word and 2 numbers"),
    ("2 2\nthe 1 2\ncat 1 two\n", ":3:", "two"),
    ("2 2\nthe 1 2\nthe 3 4\n", ":3:", "already on line 2"),
    ("1 2\nthe nan 2\n", ":2:", "non-finite"),
    ("3 2\nthe 1 2\ncat 3 4\n", ": ", "promises 3 vectors, found 2"),
  ],
)
def test_loader_errors_name_the_file_and_line(tmp_path, text, where, what):
  path = tmp_path / "bad.txt"
  path.write_text(text)
  with pytest.raises(vectors.VectorFormatError, match=what) as error:
    vectors.load(path)
  assert f"{path}{where}" in str(error.value)


def test_save_refuses_words_with_spaces(tmp_path):
  with pytest.raises(ValueError, match="without spaces"):
    vectors.save(tmp_path / "v.txt", ["new york"], np.zeros((1, 2)))


def test_initial_embeddings_take_the_files_rows_and_fill_the_rest(tmp_path):
  table = np.arange(8, dtype=np.float32).reshape(4, 2) + 1
  path = vectors.save(tmp_path / "v.txt", WORDS, table)
  vocabulary = ["<pad>", "sat", "dog", "the"]
  random = vectors.initial_embeddings(path, vocabulary, 2, seed=1)
  np.testing.assert_array_equal(random[[1, 3]], table[[2, 0]])
  assert np.all(np.abs(random[[0, 2]]) <= 0.25) and np.all(random[[0, 2]] != 0)
  zero = vectors.initial_embeddings(path, vocabulary, 2, missing="zero")
  np.testing.assert_array_equal(zero[[0, 2]], 0.0)
  assert zero.dtype == np.float32 and zero.shape == (4, 2)
  with pytest.raises(ValueError, match="dimension 2, expected 3"):
    vectors.initial_embeddings(path, vocabulary, 3)
