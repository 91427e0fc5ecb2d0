"""The bAbI question-answering tasks (Weston et al. 2015): reader, arrays, generator.

bAbI is a fixed dataset of text files, not a `Task` of the registry:
`load` finds a release's files by task number (folders, `en-valid`, the tar
archive) and `load_experiment` reads every split with one vocabulary and one
set of sizes; `parse` reads the released format, `vectorize` turns examples into padded
arrays for Memory Networks, and `generate` writes tasks 1, 2, 3, 6, 11 and 15
offline in the same format.
"""

from memnets.tasks.babi.load import BabiData, load, load_experiment
from memnets.tasks.babi.parse import BabiFormatError, Example, parse, tokenize
from memnets.tasks.babi.vectorize import (
  NO_SUPPORT,
  PAD_ID,
  BabiArrays,
  Vocabulary,
  answer_word,
  build_vocabulary,
  sentence_mask,
  sentence_recency,
  vectorize,
)

__all__ = [
  "NO_SUPPORT",
  "PAD_ID",
  "BabiArrays",
  "BabiData",
  "BabiFormatError",
  "Example",
  "Vocabulary",
  "answer_word",
  "build_vocabulary",
  "load",
  "load_experiment",
  "parse",
  "sentence_mask",
  "sentence_recency",
  "tokenize",
  "vectorize",
]
