"""Parallel text files: reading them in step, the corpus arrays, one-hot pairs, decoding."""

import numpy as np
import pytest

from memnets.seq2seq import parallel
from memnets.tasks import text


def _write(path, lines):
  path.write_text("".join(f"{line}\n" for line in lines))
  return path


def test_read_pairs_keeps_line_pairs_and_skips_lines_blank_in_both(tmp_path):
  source = _write(tmp_path / "s.txt", ["a b", "", "c"])
  target = _write(tmp_path / "t.txt", ["x", "  ", "y z."])
  assert parallel.read_pairs(source, target) == [(["a", "b"], ["x"]), (["c"], ["y", "z", "."])]
  assert parallel.read_pairs(source, target, "char")[0] == (["a", " ", "b"], ["x"])


def test_read_pairs_names_the_file_and_line_of_bad_input(tmp_path):
  source = _write(tmp_path / "s.txt", ["a", "b"])
  with pytest.raises(ValueError, match=r"s\.txt has 2 lines but .*t\.txt has 1"):
    parallel.read_pairs(source, _write(tmp_path / "t.txt", ["x"]))
  with pytest.raises(ValueError, match=r"u\.txt:2: no tokens, but line 2 of .*s\.txt"):
    parallel.read_pairs(source, _write(tmp_path / "u.txt", ["x", ""]))
  (tmp_path / "bad.txt").write_bytes(b"x\n\xff\n")
  with pytest.raises(ValueError, match=r"bad\.txt:2: not UTF-8"):
    parallel.read_pairs(source, tmp_path / "bad.txt")
  with pytest.raises(FileNotFoundError, match="missing.txt"):
    parallel.read_pairs(tmp_path / "missing.txt", source)
  empty = _write(tmp_path / "e.txt", ["", ""])
  with pytest.raises(ValueError, match="no tokens"):
    parallel.read_pairs(empty, _write(tmp_path / "f.txt", ["", ""]))


def test_load_drops_long_pairs_holds_out_the_last_and_ends_targets_with_eos(tmp_path):
  source = _write(tmp_path / "s.txt", ["a b", "a a a a", "b", "c a", "b b"])
  target = _write(tmp_path / "t.txt", ["x", "y", "x y z", "z", "w"])
  corpus = parallel.load(source, target, max_tokens=2, valid_fraction=0.3)
  assert corpus.dropped == 2 and len(corpus.train) == 2 and len(corpus.valid) == 1
  assert corpus.source_vocabulary.words == (text.UNK, "a", "b", "c")
  assert corpus.target_vocabulary.words == (text.EOS, text.UNK, "x", "z")
  np.testing.assert_array_equal(corpus.train.source, [[1, 2], [3, 1]])
  np.testing.assert_array_equal(corpus.train.target, [[2, 0, -1], [3, 0, -1]])
  np.testing.assert_array_equal(corpus.valid.target, [[1, 0, -1]])  # "w" was never trained on
  with pytest.raises(ValueError, match="max_tokens=1 .* leave none for training"):
    parallel.load(source, target, max_tokens=1)
  with pytest.raises(ValueError, match="task.valid_fraction"):
    parallel.load(source, target, valid_fraction=1.0)


def test_pairs_are_one_hot_with_padded_steps_zero_and_masked():
  pairs = parallel.pairs(np.array([[2, -1]]), np.array([[1, 0, -1]]), 3, 2)
  np.testing.assert_array_equal(pairs.source[0], [[0, 0, 1], [0, 0, 0]])
  np.testing.assert_array_equal(pairs.source_mask, [[1, 0]])
  np.testing.assert_array_equal(pairs.target[0], [[0, 1], [1, 0], [0, 0]])
  np.testing.assert_array_equal(pairs.target_mask, [[1, 1, 0]])


def test_words_stop_at_the_end_token():
  vocabulary = text.Vocabulary((text.EOS, text.UNK, "x", "y"), (1, 0, 1, 1))
  assert parallel.words([2, 3, 0, 2], vocabulary) == "x y"
  assert parallel.words([3, 2, -1], vocabulary, "char") == "yx"
