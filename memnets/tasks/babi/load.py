"""Loading the bAbI release by task number: folders, `en-valid`, the tar archive, splits.

The release `tasks_1-20_v1-2` comes as `tasks_1-20_v1-2.tar.gz` with folders
`en/` (1k), `en-10k/`, and `en-valid/` / `en-valid-10k/` (validation files
split off already). `load(data_dir, task_ids, split)` finds each task's file
by its number in any of these layouts:

- `qaN_<name>_train.txt`, `qaN_<name>_test.txt` (`en/`, `en-10k/`);
- `qaN_train.txt`, `qaN_valid.txt`, `qaN_test.txt` (`en-valid/`).

`data_dir` is such a folder, or the `.tar.gz` archive itself with `folder`
naming the one inside it to read (default `en`). The "valid" split is the
folder's validation file where it has one; otherwise it is carved from the
training file as the papers do: VALID_FRACTION (10%) of its questions, drawn
with a fixed seed, and "train" is the rest. Ask for "train_full" to get the
whole training file.

`load_experiment` reads every split a model will see and builds ONE
vocabulary and ONE set of array sizes over all of them, so train, valid and
test arrays have the same shapes and ids (task 8's test set has an answer,
`football,apple,milk`, that its training set never shows).
"""

import os
import pathlib
import re
import tarfile
from typing import NamedTuple

import numpy as np

from memnets.tasks.babi.parse import Example, parse
from memnets.tasks.babi.vectorize import BabiArrays, Vocabulary, build_vocabulary, vectorize

SPLITS = ("train", "valid", "test", "train_full")
TASK_IDS = tuple(range(1, 21))
VALID_FRACTION = 0.1  # the papers' validation share of the training questions
VALID_SEED = 0
_FILE_RE = re.compile(r"^qa(\d+)(?:_[\w-]+)?_(train|valid|test)\.txt$")


class BabiData(NamedTuple):
  """One experiment's bAbI arrays: every split with one vocabulary and one set of sizes.

  splits: split name -> `BabiArrays`, all of the same S, W, Q.
  examples: split name -> the parsed examples, in the arrays' order.
  task_ids: split name -> [N] int32, the task of each example.
  vocab: the vocabulary over every split.
  answers: "sequence" or "set": how multi-word answers became classes.
  """

  splits: dict[str, BabiArrays]
  examples: dict[str, list[Example]]
  task_ids: dict[str, np.ndarray]
  vocab: Vocabulary
  answers: str


def _files(data_dir, folder: str) -> dict[tuple[int, str], object]:
  """(task id, file split) -> a path, or a (tar path, member name) pair."""
  path = pathlib.Path(data_dir)
  found = {}
  if path.is_dir():
    for child in path.iterdir():
      match = _FILE_RE.match(child.name)
      if match:
        found[(int(match.group(1)), match.group(2))] = child
    return found
  if path.is_file() and tarfile.is_tarfile(path):
    with tarfile.open(path) as archive:
      for member in archive.getmembers():
        parts = pathlib.PurePosixPath(member.name).parts
        match = _FILE_RE.match(parts[-1]) if parts else None
        if match and member.isfile() and len(parts) >= 2 and parts[-2] == folder:
          found[(int(match.group(1)), match.group(2))] = (path, member.name)
    if not found:
      raise FileNotFoundError(f"{path}: no bAbI files in a folder named {folder!r}")
    return found
  raise FileNotFoundError(
    f"bAbI data_dir {os.fspath(data_dir)!r} is neither a folder nor a tar archive"
  )


def _read(source) -> list[Example]:
  if isinstance(source, tuple):
    archive_path, member = source
    with tarfile.open(archive_path) as archive:
      handle = archive.extractfile(member)
      data = handle.read()
    # Errors name the member inside the archive.
    return parse(_Named(data, f"{archive_path}:{member}"))
  return parse(source)


class _Named:
  """Bytes with a name, read once by `parse`."""

  def __init__(self, data: bytes, name: str):
    self.data, self.name = data, name

  def read(self) -> bytes:
    return self.data


def _carve(examples: list[Example], fraction: float, seed: int) -> tuple[list, list]:
  """(train, valid): a seeded `fraction` of the questions for validation, file order kept."""
  count = int(round(fraction * len(examples)))
  chosen = set(np.random.default_rng(seed).permutation(len(examples))[:count].tolist())
  train = [e for i, e in enumerate(examples) if i not in chosen]
  valid = [e for i, e in enumerate(examples) if i in chosen]
  return train, valid


def load(
  data_dir,
  task_ids=TASK_IDS,
  split: str = "train",
  *,
  folder: str = "en",
  valid_fraction: float = VALID_FRACTION,
  seed: int = VALID_SEED,
) -> list[tuple[int, Example]]:
  """`(task id, example)` pairs of `split` for `task_ids`, task by task in file order.

  Raises:
    ValueError: an unknown split or task id.
    FileNotFoundError: `data_dir` is missing, or lacks a file a task needs
      (the message names the task, the split and the folder).
  """
  if split not in SPLITS:
    raise ValueError(f"split: unknown {split!r}; known: {SPLITS}")
  task_ids = [int(t) for t in ([task_ids] if isinstance(task_ids, int) else task_ids)]
  for task in task_ids:
    if task not in TASK_IDS:
      raise ValueError(f"task_ids: {task} is not a bAbI task (1–20)")
  files = _files(data_dir, folder)
  out = []
  for task in task_ids:
    has_valid = (task, "valid") in files
    carve = split in ("train", "valid") and not has_valid
    file_split = "train" if split == "train_full" or carve else split
    if (task, file_split) not in files:
      raise FileNotFoundError(f"{os.fspath(data_dir)}: no {file_split} file of bAbI task {task}")
    examples = _read(files[(task, file_split)])
    if carve:
      train, valid = _carve(examples, valid_fraction, seed + task)
      examples = valid if split == "valid" else train
    out.extend((task, example) for example in examples)
  return out


def load_experiment(
  data_dir,
  task_ids=TASK_IDS,
  splits=("train", "valid", "test"),
  *,
  folder: str = "en",
  max_sentences: int | None = None,
  answers: str = "sequence",
  valid_fraction: float = VALID_FRACTION,
  seed: int = VALID_SEED,
) -> BabiData:
  """Every split of `task_ids` as arrays with one vocabulary and one set of sizes.

  `max_sentences` caps the memory to the most recent sentences (MemN2N: 50);
  the words per sentence and per question are the longest over all splits.
  `answers`: "sequence" (one class per ordered answer list) or "set" (one per
  set of words), see `vectorize.answer_word`.
  """
  loaded = {
    name: load(data_dir, task_ids, name, folder=folder, valid_fraction=valid_fraction, seed=seed)
    for name in splits
  }
  examples = {name: [e for _, e in pairs] for name, pairs in loaded.items()}
  vocab = build_vocabulary(*examples.values(), answers=answers)
  every = [e for split in examples.values() for e in split]
  sentences = max((len(e.story) for e in every), default=1)
  num_sentences = sentences if max_sentences is None else max_sentences
  words = max((len(s) for e in every for s in e.story[-num_sentences:]), default=1)
  question_words = max((len(e.question) for e in every), default=1)
  supports = max((len(e.supporting) for e in every), default=1)
  arrays = {
    name: vectorize(
      split, vocab, num_sentences, max(words, 1), max(question_words, 1), max(supports, 1), answers
    )
    for name, split in examples.items()
  }
  ids = {name: np.asarray([t for t, _ in pairs], np.int32) for name, pairs in loaded.items()}
  return BabiData(splits=arrays, examples=examples, task_ids=ids, vocab=vocab, answers=answers)
