"""bAbI for the recurrent models: a story and its question read as one word sequence.

The NTM, the DNC and the LSTM answer a bAbI question the way Graves et al.
2016 (Methods, "bAbI") feed the DNC: word by word, one-hot, the story's
sentences in order, then the question, then an answer step (a token of its
own, the DNC paper's "-"), at whose output the answer word is read off.
The paper streams a whole story with all of its questions and answers;
memnets' bAbI arrays hold one question per example (with the story up to
it), so a `SequenceReader` reads each example as one sequence: the same
inputs the DNC sees before that question, without the earlier answers.

`word_sequence` builds the sequences from `babi.BabiData`'s arrays (the
padding words dropped, the words packed to the front); `SequenceReader`
wraps any cell of the model registry (`memnets.models`) and is called like
the other question-answering models: `(stories, questions, lengths) ->
logits [B, V]`.
"""

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from memnets import models
from memnets.unrolling import unroll


def word_sequence(stories_BxSxW, questions_BxQ, story_lengths_B, answer_token: int, length=None):
  """(ids [B, L], answer step [B]): the story's words, the question's, the answer token.

  Padding (id 0) and the sentences at or beyond each story's length are
  dropped, the remaining words keep their order and are packed to the
  front; `answer_token` follows the question's last word, at the returned
  step, and zeros pad the rest. L is `length`, or S·W + Q + 1 when None;
  a `length` below some example's words + 1 raises no error but cuts that
  example off (`sequence_length` gives the data's).
  """
  batch, sentences, width = stories_BxSxW.shape
  real_BxS = jnp.arange(sentences)[None] < story_lengths_B[:, None]
  story_BxL = jnp.where(real_BxS[..., None], stories_BxSxW, 0).reshape(batch, sentences * width)
  words_BxL = jnp.concatenate([story_BxL, questions_BxQ, jnp.zeros((batch, 1), jnp.int32)], -1)
  order_BxL = jnp.argsort(words_BxL == 0, axis=-1, stable=True)  # the words first, in order
  packed_BxL = jnp.take_along_axis(words_BxL, order_BxL, axis=-1)[:, :length]
  answer_at_B = jnp.sum(words_BxL != 0, axis=-1)
  steps = jnp.arange(packed_BxL.shape[1])[None]
  return jnp.where(steps == answer_at_B[:, None], answer_token, packed_BxL), answer_at_B


def sequence_length(data) -> int:
  """The longest example's words + 1 (the answer step) over every split of a `babi.BabiData`."""
  longest = 0
  for split in data.splits.values():
    real = np.arange(split.stories.shape[1])[None] < split.story_lengths[:, None]
    story_words = np.sum((split.stories != 0) & real[..., None], axis=(1, 2))
    longest = max(longest, int(np.max(story_words + np.sum(split.questions != 0, axis=1))))
  return longest + 1


class SequenceReader(nnx.Module):
  """A registry cell (`memnets.models`) answering bAbI questions read as word sequences.

  Args:
    vocab_size: V (id 0: padding); inputs are V + 1 one-hot features (the
      last: the answer token), outputs V logits.
    cell: the registry name of the cell (ntm, dnc, lstm, ...).
    length: the sequences' length (`sequence_length(data)`); None: S·W + Q + 1.
    remat: recompute each step in the backward pass (long stories).
    rngs: parameter initialisation.
    **sizes: the cell's sizes (memory_size, hidden_size, ...).
  """

  def __init__(
    self,
    vocab_size: int,
    *,
    cell: str,
    length: int | None = None,
    remat: bool = False,
    rngs: nnx.Rngs,
    **sizes,
  ):
    if vocab_size < 2:
      raise ValueError(f"vocab_size must be >= 2, got {vocab_size}")
    self.vocab_size, self.length, self.remat = vocab_size, length, remat
    self.cell = models.build(cell, vocab_size + 1, vocab_size, rngs=rngs, **sizes)

  def __call__(self, stories_BxSxW, questions_BxQ, story_lengths_B) -> jax.Array:
    """Answer logits [B, V]: the cell's output at each sequence's answer step."""
    ids_BxL, answer_at_B = word_sequence(
      stories_BxSxW, questions_BxQ, story_lengths_B, self.vocab_size, self.length
    )
    inputs = jax.nn.one_hot(ids_BxL, self.vocab_size + 1) * (ids_BxL != 0)[..., None]
    _, outputs_BxLxV = unroll(self.cell, inputs, remat=self.remat)
    return jnp.take_along_axis(outputs_BxLxV, answer_at_B[:, None, None], axis=1)[:, 0]
