"""bAbI read word by word (memnets/qa/sequence.py): the packed sequences, the reader, `qa.build`."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from memnets import qa
from memnets.qa import sequence

V = 12


def batch():
  stories = np.zeros((2, 4, 3), np.int32)
  stories[0, :3] = [[1, 2, 0], [3, 4, 5], [6, 0, 0]]
  stories[0, 3] = [7, 7, 7]  # beyond the story's length: not read
  stories[1, :1] = [[8, 9, 0]]
  return stories, np.array([[2, 5, 0], [10, 0, 11]], np.int32), np.array([3, 1], np.int32)


def reference(stories, questions, lengths, answer_token, length):
  """The sequences by hand: each story's real words, the question's, the answer token, zeros."""
  out = np.zeros((len(lengths), length), np.int32)
  steps = []
  for b, n in enumerate(lengths):
    words = [w for s in stories[b, :n] for w in s if w] + [w for w in questions[b] if w]
    out[b, : len(words) + 1] = [*words, answer_token]
    steps.append(len(words))
  return out, np.array(steps)


def test_the_words_are_packed_in_order_then_the_answer_token():
  stories, questions, lengths = batch()
  ids, at = sequence.word_sequence(stories, questions, lengths, V, length=10)
  want_ids, want_at = reference(stories, questions, lengths, V, 10)
  np.testing.assert_array_equal(ids, want_ids)
  np.testing.assert_array_equal(at, want_at)
  assert want_at.tolist() == [8, 4]
  full, _ = sequence.word_sequence(stories, questions, lengths, V)  # S·W + Q + 1 steps
  assert full.shape == (2, 4 * 3 + 3 + 1)
  np.testing.assert_array_equal(full[:, :10], want_ids)


def test_sequence_length_is_the_longest_example_plus_the_answer_step():
  stories, questions, lengths = batch()
  split = type("Split", (), dict(stories=stories, questions=questions, story_lengths=lengths))
  data = type("Data", (), dict(splits={"train": split}))
  assert qa.sequence_length(data) == 9


@pytest.mark.parametrize("cell", ["lstm", "dnc"])
def test_the_reader_ignores_padding_and_has_finite_gradients(cell):
  sizes = dict(hidden_size=8) if cell == "lstm" else dict(
    controller_size=8, memory_size=6, word_size=4, num_read_heads=2
  )  # fmt: skip
  reader = qa.SequenceReader(V, cell=cell, length=12, rngs=nnx.Rngs(0), **sizes)
  stories, questions, lengths = batch()
  logits = reader(stories, questions, lengths)
  assert logits.shape == (2, V) and bool(jnp.all(jnp.isfinite(logits)))
  wider = np.zeros((2, 6, 5), np.int32)  # more sentence slots and words per sentence
  wider[:, :4, :3] = stories
  np.testing.assert_allclose(reader(wider, questions, lengths), logits, rtol=1e-5, atol=1e-6)
  # An empty story (the question alone) and all-zero inputs between: finite gradients.
  graphdef, params = nnx.split(reader, nnx.Param)

  def loss(params):
    model = nnx.merge(graphdef, params)
    return jnp.sum(model(stories, questions, np.array([0, 0], np.int32)))

  grads = jax.grad(loss)(params)
  assert all(bool(jnp.all(jnp.isfinite(g))) for g in jax.tree.leaves(grads))


def test_build_names_every_model_and_refuses_an_unknown_one():
  stories, questions, lengths = batch()
  split = type("Split", (), dict(stories=stories, questions=questions, story_lengths=lengths))
  data = type("Data", (), dict(splits={"train": split}))
  rngs = nnx.Rngs(0)
  assert qa.build("memn2n", V, data, rngs=rngs, dim=4).max_sentences == 4
  assert isinstance(qa.build("dmn_plus", V, data, rngs=rngs, dim=4), qa.DMNPlus)
  reader = qa.build("ntm", V, data, rngs=rngs, controller_size=4, memory_size=4, word_size=3)
  assert isinstance(reader, qa.SequenceReader) and reader.length == 9
  with pytest.raises(ValueError, match="model.name: unknown bAbI model 'nope'"):
    qa.build("nope", V, data, rngs=rngs)
