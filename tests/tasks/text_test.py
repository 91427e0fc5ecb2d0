"""Tokenising, reading text files and the capped vocabulary."""

import numpy as np
import pytest

from memnets.tasks import text


def test_tokenize_splits_punctuation_and_lowercases():
  assert text.tokenize("Where is Mary? She's in the hall.") == [
    "where", "is", "mary", "?", "she's", "in", "the", "hall", ".",
  ]  # fmt: skip
  assert text.tokenize("ab c\n", "char") == ["a", "b", " ", "c"]
  with pytest.raises(ValueError, match="level"):
    text.tokenize("a", "byte")


def test_vocabulary_keeps_the_most_frequent_words_and_counts_the_rest_as_unknown():
  sentences = [["a", "b", "a"], ["c", "a", "b"], ["d"]]
  vocab = text.Vocabulary.build(sentences, max_size=4)
  assert vocab.words == (text.EOS, text.UNK, "a", "b")
  np.testing.assert_array_equal(vocab.counts, [3, 2, 3, 2])
  np.testing.assert_array_equal(vocab.encode(["b", "zebra", "c"]), [3, 1, 1])
  assert vocab.decode([2, 0]) == ["a", text.EOS]
  assert len(vocab) == 4 and "a" in vocab and "c" not in vocab


def test_vocabulary_min_count_and_no_specials():
  vocab = text.Vocabulary.build([["x", "y", "x"]], min_count=2, specials=())
  assert vocab.words == ("x",)
  with pytest.raises(KeyError, match="no <unk>"):
    vocab.id("y")
  with pytest.raises(ValueError, match="no room"):
    text.Vocabulary.build([["x"]], max_size=1)


def test_stream_ends_every_line_with_eos():
  vocab = text.Vocabulary.build([["a", "b"], ["b"]])
  ids = text.stream([["a", "b"], ["b"]], vocab)
  assert vocab.decode(ids) == ["a", "b", text.EOS, "b", text.EOS]
  assert ids.dtype == np.int32


def test_read_lines_skips_blank_lines_and_names_the_file_and_line(tmp_path):
  path = tmp_path / "corpus.txt"
  path.write_text("The cat.\n\n  \nA dog\n")
  assert text.read_lines(path) == [["the", "cat", "."], ["a", "dog"]]
  with pytest.raises(FileNotFoundError, match="missing.txt"):
    text.read_lines(tmp_path / "missing.txt")
  (tmp_path / "empty.txt").write_text("\n \n")
  with pytest.raises(ValueError, match="empty.txt: no tokens"):
    text.read_lines(tmp_path / "empty.txt")
  (tmp_path / "bad.txt").write_bytes(b"fine\n\xff\xfe\n")
  with pytest.raises(ValueError, match=r"bad.txt:2: not UTF-8"):
    text.read_lines(tmp_path / "bad.txt")
