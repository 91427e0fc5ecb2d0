"""Text files as token ids: tokenising, reading a corpus, and a capped vocabulary.

The language model, word2vec and the encoder-decoder read a user's plain text
through these: one sentence (or one line of running text) per line, split
into words or characters. A `Vocabulary` keeps the most frequent words up to
a cap (the seed material's language model: 8,000) and maps the rest to one
unknown token, so any file can be encoded with a fixed output size.
"""

import collections
import pathlib
import re
from collections.abc import Iterable, Sequence

import numpy as np

EOS = "<eos>"  # the end of a line: a language model predicts it like a word
UNK = "<unk>"  # every word outside the vocabulary
LEVELS = ("word", "char")
_WORD = re.compile(
  r"[\w']+|[^\w\s]"
)  # runs of letters, digits and apostrophes, or one punctuation mark


def tokenize(line: str, level: str = "word") -> list[str]:
  """The tokens of one line: lower-cased words with punctuation split off, or its characters.

  >>> tokenize("Mary went to the kitchen.")
  ['mary', 'went', 'to', 'the', 'kitchen', '.']
  >>> tokenize("ab c", "char")
  ['a', 'b', ' ', 'c']
  """
  if level == "word":
    return _WORD.findall(line.lower())
  if level == "char":
    return list(line.rstrip("\n"))
  raise ValueError(f"level: {level!r} is not one of {LEVELS}")


def numbered_lines(path):
  """(line number from 1, decoded line) of the UTF-8 text file `path`, blank lines included.

  Raises FileNotFoundError naming the file when it is missing, and ValueError
  naming the file and line for bytes that are not UTF-8.
  """
  path = pathlib.Path(path)
  if not path.is_file():
    raise FileNotFoundError(f"{path}: no such text file")
  with open(path, "rb") as file:
    for number, raw in enumerate(file, start=1):
      try:
        yield number, raw.decode("utf-8")
      except UnicodeDecodeError as error:
        raise ValueError(f"{path}:{number}: not UTF-8 text ({error.reason})") from None


def read_lines(path, level: str = "word") -> list[list[str]]:
  """The tokens of every non-blank line of the UTF-8 text file `path`.

  Raises FileNotFoundError or ValueError naming the file (and the line for
  bytes that are not UTF-8) when it is missing, unreadable or holds no tokens.
  """
  lines = [tokenize(line, level) for _, line in numbered_lines(path) if line.strip()]
  lines = [tokens for tokens in lines if tokens]
  if not lines:
    raise ValueError(f"{path}: no tokens in the file")
  return lines


class Vocabulary:
  """Words by id, most frequent first after the special tokens, with their corpus counts.

  `words[i]` is the word of id i; `counts[i]` how often it occurred in the
  text it was built from (the special tokens: their count as tokens, EOS
  once per line, UNK for every word left out by the cap).
  """

  def __init__(self, words: Sequence[str], counts: Sequence[int]):
    if len(words) != len(counts):
      raise ValueError(f"{len(words)} words but {len(counts)} counts")
    if len(set(words)) != len(words):
      raise ValueError("a vocabulary's words must be distinct")
    self.words = tuple(words)
    self.counts = np.asarray(counts, np.int64)
    self._ids = {word: i for i, word in enumerate(self.words)}

  @classmethod
  def build(
    cls,
    sentences: Iterable[Sequence[str]],
    max_size: int | None = None,
    min_count: int = 1,
    specials: Sequence[str] = (EOS, UNK),
  ) -> "Vocabulary":
    """The vocabulary of `sentences`: `specials`, then words by falling count (ties by first use).

    At most `max_size` entries in all (the specials included), and only words
    seen at least `min_count` times; the words left out count towards UNK
    when it is one of the specials.
    """
    counter = collections.Counter()
    lines = 0
    for sentence in sentences:
      counter.update(sentence)
      lines += 1
    for special in specials:
      counter.pop(special, None)
    room = None if max_size is None else max_size - len(specials)
    if room is not None and room < 0:
      raise ValueError(f"max_size {max_size} leaves no room beside the specials {specials}")
    ranked = [(w, c) for w, c in counter.most_common() if c >= min_count][:room]
    left_out = sum(counter.values()) - sum(c for _, c in ranked)
    special_counts = {EOS: lines, UNK: left_out}
    words = [*specials, *(w for w, _ in ranked)]
    counts = [special_counts.get(s, 0) for s in specials] + [c for _, c in ranked]
    return cls(words, counts)

  def __len__(self) -> int:
    return len(self.words)

  def __contains__(self, word: str) -> bool:
    return word in self._ids

  def id(self, word: str) -> int:
    """The id of `word`; UNK's for a word outside the vocabulary (KeyError if it has no UNK)."""
    found = self._ids.get(word)
    if found is not None:
      return found
    if UNK not in self._ids:
      raise KeyError(f"{word!r} is not in the vocabulary, which has no {UNK}")
    return self._ids[UNK]

  def encode(self, tokens: Sequence[str]) -> np.ndarray:
    """Token ids [len(tokens)] int32."""
    return np.asarray([self.id(t) for t in tokens], np.int32)

  def decode(self, ids: Iterable[int]) -> list[str]:
    """The words of `ids`."""
    return [self.words[int(i)] for i in ids]


def stream(sentences: Iterable[Sequence[str]], vocabulary: Vocabulary) -> np.ndarray:
  """One id array of the whole text: every line's ids followed by EOS's, as a language model reads it."""
  eos = vocabulary.id(EOS)
  parts = [np.append(vocabulary.encode(s), np.int32(eos)) for s in sentences]
  return np.concatenate(parts).astype(np.int32) if parts else np.zeros((0,), np.int32)
