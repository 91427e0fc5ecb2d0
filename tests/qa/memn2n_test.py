"""MemN2N (Sukhbaatar et al. 2015): encodings, tying, masking, the nil word, against numpy."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from memnets.qa import MemN2N, memn2n, position_encoding, random_empty_memories

V, D = 12, 6


def model(**overrides):
  kwargs = dict(dim=D, hops=2, max_sentences=5) | overrides
  return MemN2N(V, **kwargs, rngs=nnx.Rngs(0))


def batch():
  stories = np.zeros((2, 4, 3), np.int32)
  stories[0, :3] = [[1, 2, 0], [3, 4, 5], [6, 0, 0]]
  stories[1, :1] = [[7, 8, 9]]
  questions = np.array([[2, 5, 0], [9, 10, 11]], np.int32)
  return stories, questions, np.array([3, 1], np.int32)


def test_position_encoding_is_the_papers_formula_per_sentence_length():
  got = np.asarray(position_encoding(jnp.array([3, 1, 0]), 4, 5))
  for s, length in enumerate([3, 1, 0]):
    for j in range(1, 5):
      for k in range(1, 6):
        want = (1 - j / length) - (k / 5) * (1 - 2 * j / length) if j <= length else 0.0
        assert got[s, j - 1, k - 1] == pytest.approx(want, abs=1e-6)


def reference(m, stories, questions, lengths):
  """float64 numpy transcription of §2 with adjacent tying, PE and temporal encoding.

  The PE weights times m.position_scale; with m.empty_slots, the memory's
  unused slots (max_sentences − n, score 0) join the softmax.
  """
  words = [np.asarray(w[...], np.float64) for w in m.words]
  times = [np.asarray(t[...], np.float64) for t in m.times]
  for w in words:
    w[0] = 0.0

  def embed(table, ids):
    n = int(np.sum(ids != 0))
    out = np.zeros(D)
    for j, word in enumerate(ids[:n], start=1):
      out += (
        m.position_scale
        * np.array([(1 - j / n) - (k / D) * (1 - 2 * j / n) for k in range(1, D + 1)])
        * words[table][word]
      )
    return out

  logits = []
  for b in range(len(lengths)):
    u = embed(0, questions[b])
    for hop in range(m.hops):
      n = lengths[b]
      mem = [embed(hop, stories[b, i]) + times[hop][n - 1 - i] for i in range(n)]
      out = [embed(hop + 1, stories[b, i]) + times[hop + 1][n - 1 - i] for i in range(n)]
      scores = np.array([u @ x for x in mem])
      if m.empty_slots:
        scores = np.concatenate([scores, np.zeros(m.max_sentences - n)])
      p = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
      u = u + sum(pi * c for pi, c in zip(p[:n], out, strict=True))  # empty slots read 0
    logits.append(words[m.hops] @ u)
  return np.stack(logits)


@pytest.mark.parametrize("scale,empty", [(1.0, False), (2.0, True), (1.0, True)])
def test_adjacent_hops_match_a_numpy_transcription(scale, empty):
  m = model(position_scale=scale, empty_slots=empty)
  stories, questions, lengths = batch()
  got = m(jnp.asarray(stories), jnp.asarray(questions), jnp.asarray(lengths))
  np.testing.assert_allclose(got, reference(m, stories, questions, lengths), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("empty", [False, True])
def test_padding_sentences_and_words_change_nothing(empty):
  for encoding in memn2n.ENCODINGS:
    m = model(encoding=encoding, empty_slots=empty)
    stories, questions, lengths = batch()
    logits = m(stories, questions, lengths)
    wider = np.pad(stories, ((0, 0), (0, 1), (0, 2)))  # one more padded sentence, two more words
    longer_q = np.pad(questions, ((0, 0), (0, 3)))
    np.testing.assert_allclose(m(wider, longer_q, lengths), logits, rtol=1e-5, atol=1e-6)


def test_the_temporal_encoding_counts_back_from_the_last_sentence():
  m = model(encoding="bag_of_words")
  stories, questions, lengths = batch()
  recency = np.array([[2, 1, 0, 0], [0, 0, 0, 0]])
  np.testing.assert_allclose(
    m(stories, questions, lengths), m(stories, questions, lengths, recency_BxS=recency), rtol=1e-6
  )
  assert not np.allclose(
    m(stories, questions, lengths), m(stories, questions, lengths, recency_BxS=recency[:, ::-1])
  )


def test_the_nil_word_stays_zero_and_padded_memories_get_no_attention():
  m = model(empty_slots=False)
  stories, questions, lengths = batch()
  graphdef, params = nnx.split(m, nnx.Param)

  def loss(params):
    return jnp.sum(nnx.merge(graphdef, params)(stories, questions, lengths) ** 2)

  grads = jax.grad(loss)(params)
  for i, table in enumerate(m.words):
    assert not np.any(np.asarray(table[...])[0]) and not np.any(
      np.asarray(grads["words"][i][...])[0]
    )
    assert np.any(np.asarray(grads["words"][i][...])[1:])  # the other words do learn
  _, attention = m.attend(stories, questions, lengths)
  np.testing.assert_allclose(attention[0, :, 3], 0.0)
  np.testing.assert_allclose(attention[1, :, 1:], 0.0)
  np.testing.assert_allclose(attention.sum(-1), 1.0, rtol=1e-6)


def test_empty_slots_take_a_share_of_the_attention_and_a_full_memory_none():
  stories, questions, lengths = batch()
  _, attention = model().attend(stories, questions, lengths)  # 5 slots: 2 and 4 of them empty
  assert np.all(attention.sum(-1) < 1.0) and np.all(attention[1, :, 1:] == 0.0)
  full = dict(max_sentences=3)  # story 0 fills its memory: the plain softmax
  _, plain = model(empty_slots=False, **full).attend(stories, questions, lengths)
  _, with_empty = model(**full).attend(stories, questions, lengths)
  np.testing.assert_allclose(with_empty[0], plain[0], rtol=1e-6)


def test_empty_slots_stay_finite_for_empty_stories_and_huge_scores():
  m = model()
  stories, questions, _ = batch()
  graphdef, params = nnx.split(m, nnx.Param)
  params = jax.tree.map(lambda p: 1e3 * p, params)  # scores of order 1e6

  def loss(params, lengths):
    return jnp.sum(nnx.merge(graphdef, params)(stories, questions, lengths))

  for lengths in [np.array([3, 1]), np.array([0, 0])]:
    value, grads = jax.value_and_grad(loss)(params, lengths)
    assert np.isfinite(value)
    assert all(np.all(np.isfinite(g)) for g in jax.tree.leaves(grads))


def test_the_linear_start_attends_without_the_softmax():
  m = model()
  stories, questions, lengths = batch()
  _, attention = m.attend(stories, questions, lengths, softmax=False)
  assert not np.allclose(attention[0, 0, :3].sum(), 1.0)
  np.testing.assert_allclose(attention[0, :, 3], 0.0)


def test_tying_schemes_share_the_papers_tables():
  assert len(model(hops=3).words) == 4 and len(model(hops=3).times) == 4  # E_0 … E_K
  layerwise = model(hops=3, tying="layerwise")
  assert len(layerwise.words) == 4 and len(layerwise.times) == 2 and hasattr(layerwise, "h")
  stories, questions, lengths = batch()
  assert layerwise(stories, questions, lengths).shape == (2, V)


def test_random_empty_memories_open_gaps_keep_the_order_and_leave_padding():
  recency = jnp.array([[4, 3, 2, 1, 0, 0]] * 64)
  mask = jnp.array([[True] * 5 + [False]] * 64)
  noisy = np.asarray(random_empty_memories(jax.random.key(0), recency, mask, 0.5))
  assert np.all(noisy[:, 5] == 0) and np.all(noisy >= np.asarray(recency))
  assert np.all(np.diff(noisy[:, :5], axis=1) < 0)  # older sentences stay older
  assert np.any(noisy != np.asarray(recency))
  same = random_empty_memories(jax.random.key(0), recency, mask, 0.0)
  np.testing.assert_array_equal(same, recency)


@pytest.mark.parametrize("softmax", [True, False])
def test_gradients_are_finite_for_empty_stories_and_questions(softmax):
  m = model()
  graphdef, params = nnx.split(m, nnx.Param)
  stories, questions = jnp.zeros((2, 4, 3), jnp.int32), jnp.zeros((2, 3), jnp.int32)

  def loss(params):
    return jnp.sum(
      nnx.merge(graphdef, params)(stories, questions, jnp.zeros(2, jnp.int32), softmax=softmax) ** 2
    )

  value, grads = jax.jit(jax.value_and_grad(loss))(params)
  chex.assert_tree_all_finite((value, grads))


def test_bad_configuration_names_the_argument():
  with pytest.raises(ValueError, match="tying: unknown 'none'"):
    model(tying="none")
  with pytest.raises(ValueError, match="encoding: unknown 'ngram'"):
    model(encoding="ngram")
  with pytest.raises(ValueError, match="hops must be >= 1"):
    model(hops=0)
