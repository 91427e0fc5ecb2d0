"""Tests of bAbI vocabulary and padded arrays (memnets/tasks/babi/vectorize.py)."""

import numpy as np
import pytest

from memnets.tasks import babi

TRAIN = (
  "1 Mary moved to the bathroom.\n"
  "2 John went to the hallway.\n"
  "3 Where is Mary?\tbathroom\t1\n"
  "4 Daniel went back to the hallway.\n"
  "5 Sandra moved to the garden.\n"
  "6 Where is Daniel?\thallway\t4\n"
  "7 John journeyed to the office.\n"
  "8 Where is John?\toffice\t7\n"
)
TEST = (
  "1 Mary got the apple there.\n"
  "2 Mary grabbed the football.\n"
  "3 What is Mary carrying?\tapple,football\t1 2\n"
)


@pytest.fixture(name="data")
def _data():
  train, test = babi.parse(TRAIN), babi.parse(TEST)
  return train, test, babi.build_vocabulary(train, test)


def test_vocabulary_reserves_padding_and_is_sorted(data):
  train, test, vocab = data
  assert vocab.words[babi.PAD_ID] == "<pad>"
  assert list(vocab.words[1:]) == sorted(vocab.words[1:])
  assert all(vocab.ids[word] == i for i, word in enumerate(vocab.words))
  # Multi-word answers are one entry; their words are also words of the story.
  assert "apple,football" in vocab.ids
  assert {"apple", "football", "?", "."} <= set(vocab.ids)
  # The order of the examples does not change the ids.
  assert babi.build_vocabulary(test[::-1], train[::-1]) == vocab


def test_shapes_and_dtypes(data):
  train, _, vocab = data
  arrays = babi.vectorize(train, vocab)
  n = len(train)
  assert arrays.stories.shape == (n, 5, 7)  # 5 statements; "daniel went back to the hallway ."
  assert arrays.questions.shape == (n, 4)
  assert arrays.answers.shape == (n,)
  assert arrays.story_lengths.shape == (n,)
  assert arrays.supporting.shape == (n, 1)
  for array in arrays:
    assert array.dtype == np.int32
  np.testing.assert_array_equal(arrays.story_lengths, [2, 4, 5])


def test_round_trip_and_padding(data):
  train, test, vocab = data
  examples = train + test
  arrays = babi.vectorize(examples, vocab)
  for i, example in enumerate(examples):
    length = arrays.story_lengths[i]
    decoded = [vocab.decode(row) for row in arrays.stories[i, :length]]
    assert decoded == example.story
    assert vocab.decode(arrays.questions[i]) == example.question
    assert vocab.words[arrays.answers[i]] == babi.answer_word(example.answer)
    # Padding: whole rows past the story, and the tail of every sentence.
    assert np.all(arrays.stories[i, length:] == babi.PAD_ID)
    for j, sentence in enumerate(example.story):
      assert np.all(arrays.stories[i, j, len(sentence) :] == babi.PAD_ID)
      assert np.all(arrays.stories[i, j, : len(sentence)] != babi.PAD_ID)
    assert np.all(arrays.questions[i, len(example.question) :] == babi.PAD_ID)
  # Supporting line numbers become story rows: line 4 of story 2 is row 2.
  np.testing.assert_array_equal(arrays.supporting[:, :2], [[0, -1], [2, -1], [4, -1], [0, 1]])


def test_max_sentences_keeps_most_recent_and_remaps_supports(data):
  train, _, vocab = data
  last = train[2]  # story lines 1 2 4 5 7; supported by line 7
  arrays = babi.vectorize(train, vocab, max_sentences=2)
  assert arrays.stories.shape[1] == 2
  np.testing.assert_array_equal(arrays.story_lengths, [2, 2, 2])
  assert [vocab.decode(row) for row in arrays.stories[2]] == last.story[-2:]
  assert arrays.supporting[2, 0] == 1  # line 7 is the most recent sentence
  assert arrays.supporting[1, 0] == 0  # line 4: row 2 of 4, row 0 of the last 2
  # With one sentence kept, only the last question's support (its latest line) remains.
  capped = babi.vectorize(train, vocab, max_sentences=1)
  np.testing.assert_array_equal(capped.supporting[:, 0], [babi.NO_SUPPORT, babi.NO_SUPPORT, 0])


def test_explicit_sizes_pad_and_too_small_sizes_fail(data):
  train, test, vocab = data
  arrays = babi.vectorize(test, vocab, max_sentences=50, max_words=10, max_question_words=8)
  assert arrays.stories.shape == (1, 50, 10)
  assert arrays.questions.shape == (1, 8)
  with pytest.raises(ValueError, match="max_words"):
    babi.vectorize(train, vocab, max_words=3)
  with pytest.raises(ValueError, match="max_question_words"):
    babi.vectorize(train, vocab, max_question_words=2)
  with pytest.raises(ValueError, match="max_sentences"):
    babi.vectorize(train, vocab, max_sentences=0)


def test_unknown_word_is_a_key_error(data):
  _, test, _ = data
  train_only = babi.build_vocabulary(babi.parse(TRAIN))
  with pytest.raises(KeyError, match="'got' is not in the bAbI vocabulary"):
    babi.vectorize(test, train_only)


def test_sentence_recency_and_mask():
  lengths = np.array([3, 1, 0])
  np.testing.assert_array_equal(
    babi.sentence_recency(lengths, 4), [[2, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
  )
  np.testing.assert_array_equal(
    babi.sentence_mask(lengths, 4),
    [[True, True, True, False], [True, False, False, False], [False] * 4],
  )
  assert babi.sentence_recency(lengths, 4).dtype == np.int32
