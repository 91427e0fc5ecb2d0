"""Question answering over memory: MemN2N (`memn2n`), DMN+ (`dmn`), recurrent readers (`sequence`).

`build(name, vocab_size, data, rngs=..., **sizes)` makes the model a bAbI
config's `model.name` names: "memn2n", "dmn_plus", or any cell of
`memnets.models` (ntm, dnc, lstm, ...) read through a `SequenceReader`.
"""

from flax import nnx

from memnets import models
from memnets.qa import dmn, memn2n, sequence, word_vectors
from memnets.qa.dmn import DMNPlus
from memnets.qa.memn2n import MemN2N, position_encoding, random_empty_memories
from memnets.qa.sequence import SequenceReader, sequence_length, word_sequence
from memnets.qa.word_vectors import set_word_vectors

__all__ = [
  "DMNPlus", "MemN2N", "SequenceReader", "build", "dmn", "memn2n", "position_encoding",
  "random_empty_memories", "sequence", "sequence_length", "set_word_vectors", "word_sequence",
  "word_vectors",
]  # fmt: skip


def build(name: str, vocab_size: int, data, *, rngs: nnx.Rngs, **sizes) -> nnx.Module:
  """The bAbI model `name` over `vocab_size` words, sized for `data` (a `babi.BabiData`)."""
  if name == "memn2n":
    slots = next(iter(data.splits.values())).stories.shape[1]  # the memory: S sentences
    return MemN2N(vocab_size, max_sentences=slots, rngs=rngs, **sizes)
  if name == "dmn_plus":
    return DMNPlus(vocab_size, rngs=rngs, **sizes)
  if name in models.MODELS:
    length = sequence_length(data)
    return SequenceReader(vocab_size, cell=name, length=length, rngs=rngs, **sizes)
  known = ["dmn_plus", "memn2n", *sorted(models.MODELS)]
  raise ValueError(f"model.name: unknown bAbI model {name!r}; known: {known}")
