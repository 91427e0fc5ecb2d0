"""The negative-sampling losses (Mikolov et al. 2013b, eq. 4) against float64 numpy."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.word2vec import losses

V, D, B, C, K = 6, 4, 2, 3, 2


def np_log_sigmoid(x):
  return -np.log1p(np.exp(-x))


def np_skipgram(v_in, v_out, centres, contexts, mask, negatives):
  """Σ over pairs of −[log σ(v'_O · v_I) + Σ_k log σ(−v'_k · v_I)], noise = positive skipped."""
  total = 0.0
  for b in range(B):
    for c in range(C):
      if not mask[b, c]:
        continue
      h, o = v_in[centres[b]], contexts[b, c]
      term = np_log_sigmoid(v_out[o] @ h)
      for k in negatives[b, c]:
        if k != o:
          term += np_log_sigmoid(-(v_out[k] @ h))
      total -= term
  return total


def np_cbow(v_in, v_out, centres, contexts, mask, negatives):
  total = 0.0
  for b in range(B):
    if mask[b].any():
      h = v_in[contexts[b][mask[b]]].mean(0)
      term = np_log_sigmoid(v_out[centres[b]] @ h)
      term += sum(np_log_sigmoid(-(v_out[k] @ h)) for k in negatives[b] if k != centres[b])
      total -= term
  return total


@pytest.fixture
def case():
  rng = np.random.default_rng(0)
  v_in, v_out = rng.normal(size=(V, D)), rng.normal(size=(V, D))
  centres = np.array([1, 2])
  contexts = np.array([[3, 4, 5], [0, 3, 3]])
  mask = np.array([[True, False, True], [True, True, False]])
  negatives = rng.integers(0, V, (B, C, K))
  negatives[0, 0, 0] = 3  # equals its positive word: skipped, as the released code does
  return v_in, v_out, centres, contexts, mask, negatives


def test_skipgram_loss_and_gradient_equal_eq4_in_float64(case):
  v_in, v_out, centres, contexts, mask, negatives = case
  with jax.enable_x64(True):
    params = losses.Embeddings(jnp.asarray(v_in), jnp.asarray(v_out))
    args = (jnp.asarray(centres), jnp.asarray(contexts), jnp.asarray(mask), jnp.asarray(negatives))
    (total, pairs), grads = jax.jit(jax.value_and_grad(losses.skipgram_loss, has_aux=True))(
      params, *args
    )
  assert int(pairs) == mask.sum()
  np.testing.assert_allclose(float(total), np_skipgram(*case), rtol=1e-12)
  step = 1e-6  # central differences of the numpy reference
  for name, index in (("input", (1, 2)), ("output", (3, 0)), ("output", (5, 1))):
    plus, minus = [np.copy(v_in), np.copy(v_out)], [np.copy(v_in), np.copy(v_out)]
    which = 0 if name == "input" else 1
    plus[which][index] += step
    minus[which][index] -= step
    numeric = (np_skipgram(*plus, *case[2:]) - np_skipgram(*minus, *case[2:])) / (2 * step)
    np.testing.assert_allclose(float(getattr(grads, name)[index]), numeric, rtol=1e-6)


def test_cbow_loss_is_eq4_of_the_mean_context_vector(case):
  v_in, v_out, centres, contexts, mask, negatives = case
  params = losses.Embeddings(jnp.asarray(v_in, jnp.float32), jnp.asarray(v_out, jnp.float32))
  args = (
    jnp.asarray(centres),
    jnp.asarray(contexts),
    jnp.asarray(mask),
    jnp.asarray(negatives[:, 0]),
  )
  total, count = jax.jit(losses.cbow_loss)(params, *args)
  np.testing.assert_allclose(
    float(total), np_cbow(v_in, v_out, centres, contexts, mask, negatives[:, 0]), rtol=1e-5
  )
  assert int(count) == B


def test_cbow_code_gradient_gives_every_context_the_whole_hidden_gradient(case):
  v_in, v_out, centres, contexts, mask, negatives = case
  params = losses.Embeddings(jnp.asarray(v_in, jnp.float32), jnp.asarray(v_out, jnp.float32))
  args = (
    jnp.asarray(centres),
    jnp.asarray(contexts),
    jnp.asarray(mask),
    jnp.asarray(negatives[:, 0]),
  )
  grad = {}
  for name in losses.CONTEXT_GRADIENTS:
    summed = functools.partial(losses.cbow_loss, context_gradient=name)
    grad[name] = jax.jit(jax.grad(lambda p, summed=summed: summed(p, *args)[0]))(params)
  # Row 0 uses contexts 3 and 5 (c = 2), each once: the code's gradient is c times the mean's.
  np.testing.assert_allclose(grad["code"].input[5], 2 * grad["mean"].input[5], rtol=1e-5)
  np.testing.assert_allclose(grad["code"].output, grad["mean"].output, rtol=1e-6)


def test_a_centre_without_context_adds_nothing():
  params = losses.Embeddings(jnp.ones((V, D)), jnp.ones((V, D)))
  mask = jnp.zeros((1, 2), bool)
  total, count = jax.jit(losses.cbow_loss)(
    params, jnp.array([1]), jnp.array([[2, 3]]), mask, jnp.array([[4]])
  )
  assert float(total) == 0.0 and int(count) == 0


def test_initial_vectors_are_the_released_codes():
  params = losses.init_embeddings(jax.random.key(0), 50, D)
  assert (
    float(jnp.abs(params.input).max()) <= 0.5 / D and float(jnp.abs(params.output).max()) == 0.0
  )
