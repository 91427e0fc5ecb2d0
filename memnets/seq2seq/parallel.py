"""Parallel text files as encoder-decoder pairs: line i of the source file translates to line i of the target.

`read_pairs` reads the two files in step (the same number of lines, a line
blank in both or in neither; errors name the file and line), `load` keeps
the pairs of at most `max_tokens` tokens on each side, holds out the last
`valid_fraction` of them, and builds one vocabulary per side from the
training pairs (at most `max_vocab` entries, the rest one unknown token; the
target's has an end token, which every target ends with, so decoding knows
where a translation stops). The ids sit in padded arrays ([N, S] and
[N, U] int32, −1 past each end); `pairs` turns rows of them into one-hot
`adapter.Pairs` on the device, so batches are drawn inside the jitted step.
"""

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from memnets.seq2seq import adapter
from memnets.tasks import text

PAD = -1  # the id past a sentence's end: its one-hot row is all zeros


def read_pairs(source_path, target_path, level: str = "word") -> list[tuple[list[str], list[str]]]:
  """The (source tokens, target tokens) of every line pair that is not blank in both files."""
  source = list(text.numbered_lines(source_path))
  target = list(text.numbered_lines(target_path))
  if len(source) != len(target):
    raise ValueError(
      f"{source_path} has {len(source)} lines but {target_path} has {len(target)}: "
      "parallel files need one target line per source line"
    )
  pairs = []
  for (number, src), (_, tgt) in zip(source, target, strict=True):
    src, tgt = (text.tokenize(line, level) if line.strip() else [] for line in (src, tgt))
    if bool(src) != bool(tgt):
      empty, other = (source_path, target_path) if not src else (target_path, source_path)
      raise ValueError(f"{empty}:{number}: no tokens, but line {number} of {other} has some")
    if src:
      pairs.append((src, tgt))
  if not pairs:
    raise ValueError(f"{source_path}: no tokens in the file")
  return pairs


def _pad(rows: list[np.ndarray], width: int) -> np.ndarray:
  out = np.full((len(rows), width), PAD, np.int32)
  for i, row in enumerate(rows):
    out[i, : len(row)] = row
  return out


@dataclasses.dataclass(frozen=True)
class Split:
  """One side-by-side split: padded source ids [N, S] and EOS-ended target ids [N, U]."""

  source: np.ndarray
  target: np.ndarray

  def __len__(self) -> int:
    return len(self.source)


@dataclasses.dataclass(frozen=True)
class Corpus:
  """The training and held-out pairs of two parallel files, with the vocabulary of each side."""

  train: Split
  valid: Split
  source_vocabulary: text.Vocabulary
  target_vocabulary: text.Vocabulary
  dropped: int  # pairs left out for a side longer than max_tokens


def load(
  source_path, target_path, *, level: str = "word", max_vocab: int = 8000,
  max_tokens: int = 50, valid_fraction: float = 0.1,
) -> Corpus:  # fmt: skip
  """The corpus of two parallel files (see the module docstring)."""
  if not 0 < valid_fraction < 1:
    raise ValueError(f"task.valid_fraction: must be in (0, 1), got {valid_fraction}")
  if max_tokens < 1:
    raise ValueError(f"task.max_tokens: must be at least 1, got {max_tokens}")
  read = read_pairs(source_path, target_path, level)
  kept = [(s, t) for s, t in read if len(s) <= max_tokens and len(t) <= max_tokens]
  held_out = max(1, round(len(kept) * valid_fraction))
  if len(kept) - held_out < 1:
    raise ValueError(
      f"{source_path}: {len(kept)} pairs of at most task.max_tokens={max_tokens} tokens "
      f"(of {len(read)}) leave none for training after holding out {held_out}"
    )
  train, valid = kept[:-held_out], kept[-held_out:]
  cap = max_vocab or None
  source_vocabulary = text.Vocabulary.build((s for s, _ in train), cap, specials=(text.UNK,))
  target_vocabulary = text.Vocabulary.build((t for _, t in train), cap)
  eos = target_vocabulary.id(text.EOS)

  def split(pairs) -> Split:
    source = [source_vocabulary.encode(s) for s, _ in pairs]
    target = [np.append(target_vocabulary.encode(t), np.int32(eos)) for _, t in pairs]
    return Split(_pad(source, max_tokens), _pad(target, max_tokens + 1))

  return Corpus(split(train), split(valid), source_vocabulary, target_vocabulary,
                len(read) - len(kept))  # fmt: skip


def pairs(source_BxS, target_BxU, source_size: int, target_size: int) -> adapter.Pairs:
  """One-hot `adapter.Pairs` of padded id rows (jit-able); PAD steps are masked and zero."""
  source_BxS, target_BxU = jnp.asarray(source_BxS), jnp.asarray(target_BxU)
  return adapter.Pairs(
    jax.nn.one_hot(source_BxS, source_size), (source_BxS != PAD).astype(jnp.float32),
    jax.nn.one_hot(target_BxU, target_size), (target_BxU != PAD).astype(jnp.float32),
  )  # fmt: skip


def words(ids, vocabulary: text.Vocabulary, level: str = "word") -> str:
  """A decoded line: the words of `ids` up to the first EOS or PAD, joined for `level`."""
  eos = vocabulary.id(text.EOS) if text.EOS in vocabulary else None
  tokens = []
  for i in np.asarray(ids).tolist():
    if i == PAD or i == eos:
      break
    tokens.append(vocabulary.words[i])
  return ("" if level == "char" else " ").join(tokens)
