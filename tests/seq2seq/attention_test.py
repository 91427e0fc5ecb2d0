"""Additive attention: weights over the unpadded positions only, finite on fully padded rows."""

import jax
import jax.numpy as jnp
import numpy as np

from memnets.seq2seq import attention


def test_weights_sum_to_one_over_unpadded_positions_and_are_zero_elsewhere():
  scores = jnp.asarray([[1.0, 2.0, 3.0, 4.0], [0.5, -1.0, 9.0, 2.0]])
  mask = jnp.asarray([[1, 1, 0, 0], [1, 1, 1, 1]], jnp.float32)
  weights = attention.masked_softmax(scores, mask)
  np.testing.assert_allclose(weights.sum(-1), [1.0, 1.0], rtol=1e-6)
  assert float(weights[0, 2]) == 0.0 and float(weights[0, 3]) == 0.0
  e = np.exp([1.0, 2.0])
  np.testing.assert_allclose(weights[0, :2], e / e.sum(), rtol=1e-6)


def test_a_fully_padded_row_has_zero_weights_and_finite_gradients():
  mask = jnp.zeros((1, 3))

  def context_norm(scores):
    weights = attention.masked_softmax(scores, mask)
    return jnp.sum(weights @ jnp.ones((3, 2)))

  scores = jnp.asarray([[0.3, -2.0, 1.0]])
  np.testing.assert_array_equal(attention.masked_softmax(scores, mask), 0.0)
  grads = jax.grad(context_norm)(scores)
  assert np.all(np.isfinite(grads))


def test_attend_mixes_the_values_by_the_additive_scores():
  rng = np.random.default_rng(0)
  query, keys = rng.normal(size=(2, 3)), rng.normal(size=(2, 4, 3))
  values, v = rng.normal(size=(2, 4, 5)), rng.normal(size=3)
  mask = np.array([[1, 1, 1, 0], [1, 0, 0, 0]], np.float32)
  context, weights = attention.attend(*(jnp.asarray(a) for a in (query, keys, values, v, mask)))
  scores = np.tanh(query[:, None] + keys) @ v
  expected = np.exp(scores) * mask
  expected /= expected.sum(-1, keepdims=True)
  np.testing.assert_allclose(weights, expected, rtol=1e-5, atol=1e-7)
  np.testing.assert_allclose(context, np.einsum("bs,bsh->bh", expected, values), rtol=1e-5)
