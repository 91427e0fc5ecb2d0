"""DMN+ (Xiong et al. 2016): the attention GRU and gates against numpy, masking, fusion, gradients."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from memnets.qa import DMNPlus, dmn

V, D = 12, 4


def model():
  return DMNPlus(V, dim=D, passes=2, rngs=nnx.Rngs(0))


def batch():
  stories = np.zeros((2, 4, 3), np.int32)
  stories[0, :3] = [[1, 2, 0], [3, 4, 5], [6, 0, 0]]
  stories[1, :1] = [[7, 8, 9]]
  return stories, np.array([[2, 5, 0], [9, 10, 11]], np.int32), np.array([3, 1], np.int32)


def sigmoid(x):
  return 1 / (1 + np.exp(-x))


def test_the_attention_gru_step_matches_its_equations():
  m = model()
  h, x = (np.asarray(jax.random.normal(k, (3, D))) for k in jax.random.split(jax.random.key(0)))
  gate = np.array([0.0, 0.3, 1.0])
  got = np.asarray(
    dmn.attention_gru_step(h, x, gate, m.reset, m.candidate_input, m.candidate_hidden)
  )
  w_r, b_r = np.asarray(m.reset.kernel[...]), np.asarray(m.reset.bias[...])
  w, b = np.asarray(m.candidate_input.kernel[...]), np.asarray(m.candidate_input.bias[...])
  u = np.asarray(m.candidate_hidden.kernel[...])
  r = sigmoid(np.concatenate([x, h], -1) @ w_r + b_r)
  candidate = np.tanh(x @ w + b + r * (h @ u))
  want = gate[:, None] * candidate + (1 - gate[:, None]) * h
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
  np.testing.assert_allclose(got[0], h[0], rtol=1e-6)  # no attention: the state is kept


def test_the_gates_are_a_softmax_over_real_facts_of_the_papers_features():
  m = model()
  keys = jax.random.split(jax.random.key(1), 3)
  facts = np.asarray(jax.random.normal(keys[0], (2, 3, D)))
  q, mem = (np.asarray(jax.random.normal(k, (2, D))) for k in keys[1:])
  mask = np.array([[True, True, False], [True, False, False]])
  got = np.asarray(dmn.attention_gates(facts, q, mem, mask, m.gate_hidden, m.gate_score))
  w1, b1 = np.asarray(m.gate_hidden.kernel[...]), np.asarray(m.gate_hidden.bias[...])
  w2, b2 = np.asarray(m.gate_score.kernel[...]), np.asarray(m.gate_score.bias[...])
  z = np.concatenate(
    [
      facts * q[:, None],
      facts * mem[:, None],
      np.abs(facts - q[:, None]),
      np.abs(facts - mem[:, None]),
    ],
    -1,
  )
  scores = (np.tanh(z @ w1 + b1) @ w2 + b2)[..., 0]
  for b in range(2):
    real = scores[b, mask[b]]
    np.testing.assert_allclose(got[b, mask[b]], np.exp(real) / np.exp(real).sum(), rtol=1e-5)
    np.testing.assert_allclose(got[b, ~mask[b]], 0.0)


def test_padding_changes_nothing_and_padded_sentences_get_no_attention():
  m = model()
  stories, questions, lengths = batch()
  logits, gates = m.attend(stories, questions, lengths)
  wider = np.pad(stories, ((0, 0), (0, 2), (0, 1)))
  np.testing.assert_allclose(
    m(wider, np.pad(questions, ((0, 0), (0, 2))), lengths), logits, rtol=1e-5, atol=1e-6
  )
  np.testing.assert_allclose(gates[0, :, 3], 0.0)
  np.testing.assert_allclose(gates[1, :, 1:], 0.0)


def test_the_input_fusion_layer_reads_sentences_in_both_directions():
  m = model()
  stories, _, lengths = batch()
  changed = stories.copy()
  changed[0, 2] = [11, 0, 0]  # only the last sentence differs
  first, _ = m.facts(stories, lengths)
  again, _ = m.facts(changed, lengths)
  assert not np.allclose(first[0, 0], again[0, 0])  # the backward GRU carries it to the first fact


@pytest.mark.parametrize("empty", [True, False])
def test_gradients_are_finite(empty):
  m = model()
  graphdef, params = nnx.split(m, nnx.Param)
  stories, questions, lengths = batch()
  if empty:
    stories, questions, lengths = (
      np.zeros_like(stories),
      np.zeros_like(questions),
      np.zeros(2, np.int32),
    )

  def loss(params):
    return jnp.sum(nnx.merge(graphdef, params)(stories, questions, lengths) ** 2)

  value, grads = jax.jit(jax.value_and_grad(loss))(params)
  chex.assert_tree_all_finite((value, grads))


def test_bad_configuration_names_the_argument():
  with pytest.raises(ValueError, match="passes must be >= 1"):
    DMNPlus(V, passes=0, rngs=nnx.Rngs(0))
