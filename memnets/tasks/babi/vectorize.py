"""Vocabulary and padded int32 arrays of bAbI examples for models.

Layout follows End-To-End Memory Networks (Sukhbaatar et al. 2015, §4): a story
is a memory of sentences, each a bag/sequence of word ids; only the most recent
`max_sentences` sentences are kept (the paper uses the last 50); the answer is
one word predicted by a softmax over the vocabulary. Temporal encoding (§4.1)
indexes memories by recency, which `sentence_recency` returns.

Id 0 is padding everywhere. Multi-word answers (task 8 "apple,football", task
19 "n,w") become ONE vocabulary entry, so every answer is a single class:
with `answers="sequence"` (the default) the words joined by a comma in the
file's order, one class per ordered list (task 19's paths, where order
matters); with `answers="set"` the words sorted first, one class per set of
words (task 8's lists, where "apple,football" and "football,apple" are one
answer).
"""

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

# The package re-exports the function `parse`, which hides the module of the same
# name as an attribute, so the class is imported from the module path directly.
from memnets.tasks.babi.parse import Example

PAD_ID = 0
PAD_WORD = "<pad>"
NO_SUPPORT = -1  # padding of `supporting`, and supports dropped by the sentence cap
ANSWER_JOINER = ","
ANSWER_MODES = ("sequence", "set")


def answer_word(answer: Sequence[str], answers: str = "sequence") -> str:
  """The single vocabulary entry of an answer: its words (sorted for "set") joined by a comma."""
  if answers not in ANSWER_MODES:
    raise ValueError(f"answers: unknown {answers!r}; known: {ANSWER_MODES}")
  return ANSWER_JOINER.join(sorted(answer) if answers == "set" else answer)


class Vocabulary(NamedTuple):
  """Word <-> id maps; `words[0]` is the padding word, so ids start at 1.

  words: tuple of all words, indexed by id.
  ids: dict word -> id (the inverse of `words`).
  """

  words: tuple[str, ...]
  ids: dict[str, int]

  def __len__(self) -> int:
    return len(self.words)

  def encode(self, tokens: Iterable[str]) -> list[int]:
    """Ids of `tokens`; raises KeyError naming a word not in the vocabulary."""
    out = []
    for token in tokens:
      if token not in self.ids:
        raise KeyError(f"word {token!r} is not in the bAbI vocabulary")
      out.append(self.ids[token])
    return out

  def decode(self, ids: Iterable[int]) -> list[str]:
    """Words of `ids`, skipping padding."""
    return [self.words[int(i)] for i in ids if int(i) != PAD_ID]


def build_vocabulary(*example_lists: Iterable[Example], answers: str = "sequence") -> Vocabulary:
  """Vocabulary of every story, question and answer word (pass train and test).

  `answers`: how a multi-word answer becomes one entry (`answer_word`).

  Words are sorted, so the ids do not depend on the order of the examples.
  """
  words = set()
  for examples in example_lists:
    for example in examples:
      for sentence in example.story:
        words.update(sentence)
      words.update(example.question)
      words.add(answer_word(example.answer, answers))
  ordered = (PAD_WORD, *sorted(words))
  return Vocabulary(words=ordered, ids={word: i for i, word in enumerate(ordered)})


class BabiArrays(NamedTuple):
  """Padded arrays of N examples (int32, 0 = padding).

  stories: [N, S, W] word ids; sentence j of an example is at row j (oldest
    first), rows >= story_lengths are padding.
  questions: [N, Q] word ids.
  answers: [N] id of the (joined) answer word.
  story_lengths: [N] number of sentences kept, <= S.
  supporting: [N, K] story rows of the supporting statements, in file order;
    -1 pads, and marks supports dropped by the `max_sentences` cap.
  """

  stories: np.ndarray
  questions: np.ndarray
  answers: np.ndarray
  story_lengths: np.ndarray
  supporting: np.ndarray


def _size(name: str, needed: int, given: int | None) -> int:
  if given is None:
    return max(needed, 1)
  if needed > given:
    raise ValueError(f"{name}={given} is smaller than the data needs ({needed})")
  return given


def vectorize(
  examples: Sequence[Example],
  vocab: Vocabulary,
  max_sentences: int | None = None,
  max_words: int | None = None,
  max_question_words: int | None = None,
  max_supporting: int | None = None,
  answers: str = "sequence",
) -> BabiArrays:
  """Turns examples into padded int32 arrays.

  Args:
    examples: parsed examples.
    vocab: from `build_vocabulary` (over train and test).
    max_sentences: S; if given, the sentence axis has exactly this size and only
      the most recent S sentences of each story are kept (Memory Networks: 50);
      supporting statements that fall outside become -1. Default: longest story.
    max_words: W; exact sentence-axis size (default: longest sentence). A
      longer sentence is an error, not a silent truncation.
    max_question_words: Q; likewise for questions.
    max_supporting: K; likewise for the supporting statements.
    answers: "sequence" or "set", as the vocabulary was built (`answer_word`).

  Returns:
    `BabiArrays` with the shapes above; pass the same sizes for train and test.

  Raises:
    ValueError: a size is too small for the data, or max_sentences < 1.
    KeyError: a word is not in `vocab`.
  """
  if max_sentences is not None and max_sentences < 1:
    raise ValueError(f"max_sentences must be >= 1, got {max_sentences}")
  longest_story = max((len(e.story) for e in examples), default=0)
  num_sentences = max(longest_story, 1) if max_sentences is None else max_sentences
  longest_sentence = max((len(s) for e in examples for s in e.story[-num_sentences:]), default=0)
  num_words = _size("max_words", longest_sentence, max_words)
  longest_question = max((len(e.question) for e in examples), default=0)
  num_question_words = _size("max_question_words", longest_question, max_question_words)
  longest_support = max((len(e.supporting) for e in examples), default=0)
  num_supporting = _size("max_supporting", longest_support, max_supporting)

  n = len(examples)
  stories = np.zeros((n, num_sentences, num_words), np.int32)
  questions = np.zeros((n, num_question_words), np.int32)
  answers_N = np.zeros((n,), np.int32)
  story_lengths = np.zeros((n,), np.int32)
  supporting = np.full((n, num_supporting), NO_SUPPORT, np.int32)
  for i, example in enumerate(examples):
    dropped = max(len(example.story) - num_sentences, 0)
    kept = example.story[dropped:]
    for j, sentence in enumerate(kept):
      stories[i, j, : len(sentence)] = vocab.encode(sentence)
    story_lengths[i] = len(kept)
    questions[i, : len(example.question)] = vocab.encode(example.question)
    answers_N[i] = vocab.encode([answer_word(example.answer, answers)])[0]
    row_of_line = {line: row - dropped for row, line in enumerate(example.line_numbers)}
    for k, line in enumerate(example.supporting):
      row = row_of_line[line]
      supporting[i, k] = row if row >= 0 else NO_SUPPORT
  return BabiArrays(stories, questions, answers_N, story_lengths, supporting)


def sentence_recency(story_lengths: np.ndarray, max_sentences: int) -> np.ndarray:
  """Temporal-encoding index of each memory slot (Sukhbaatar et al. 2015, §4.1).

  Args:
    story_lengths: [N] number of sentences of each example.
    max_sentences: S, the sentence axis of `stories`.

  Returns:
    [N, S] int32: for row j < length, `length - 1 - j` (0 for the most recent
    sentence, counting back in time); padding rows are 0 and should be masked
    with `sentence_mask`.
  """
  lengths = np.asarray(story_lengths, np.int32)[:, None]
  rows = np.arange(max_sentences, dtype=np.int32)[None, :]
  return np.where(rows < lengths, lengths - 1 - rows, 0).astype(np.int32)


def sentence_mask(story_lengths: np.ndarray, max_sentences: int) -> np.ndarray:
  """[N, S] bool, True at the rows of real sentences."""
  rows = np.arange(max_sentences)[None, :]
  return rows < np.asarray(story_lengths)[:, None]
