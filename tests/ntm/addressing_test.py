"""NTM addressing (Graves et al. 2014, §3.3, eqs. 5–9) against plain numpy.

Each test names the equation it checks. Reference implementations are written
directly from the paper in float64 numpy; the JAX functions run in float64 too
(`jax.enable_x64`) so the comparison is tight.
"""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import test_util

from memnets.ntm import addressing

N, M, S = 10, 6, 3


def np_softmax(z):
  z = z - z.max()
  e = np.exp(z)
  return e / e.sum()


def np_content(memory, key, beta):  # eqs. 5–6
  cos = memory @ key / (np.linalg.norm(memory, axis=1) * np.linalg.norm(key))
  return np_softmax(beta * cos)


def np_shift(w, s):  # eq. 8: w~(i) = sum_j w(j) s(i - j), offsets centred on S // 2
  n, half = len(w), len(s) // 2
  out = np.zeros(n)
  for i in range(n):
    for j in range(n):
      offset = (i - j) % n
      for k, p in enumerate(s):
        if (k - half) % n == offset:
          out[i] += w[j] * p
  return out


def np_sharpen(w, gamma):  # eq. 9
  p = w**gamma
  return p / p.sum()


@pytest.fixture(autouse=True)
def x64():
  with jax.enable_x64(True):
    yield


def random_inputs(seed):
  rng = np.random.default_rng(seed)
  memory = rng.normal(size=(N, M))
  key = rng.normal(size=M)
  w = np_softmax(rng.normal(size=N))
  s = np_softmax(rng.normal(size=S))
  return memory, key, w, s, rng


@pytest.mark.parametrize("seed", range(3))
def test_content_weights_match_eq5(seed):
  memory, key, _, _, rng = random_inputs(seed)
  beta = rng.uniform(0.1, 10.0)
  np.testing.assert_allclose(
    addressing.content_weights(memory, key, beta), np_content(memory, key, beta), rtol=1e-6
  )


def test_content_weights_pick_the_matching_row_at_large_beta():
  memory, _, _, _, _ = random_inputs(0)
  w = addressing.content_weights(memory, memory[4] * 3.0, 1e4)
  np.testing.assert_allclose(w, np.eye(N)[4], atol=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_interpolate_matches_eq7(seed):
  _, _, w, _, rng = random_inputs(seed)
  wc = np_softmax(rng.normal(size=N))
  g = rng.uniform()
  np.testing.assert_allclose(addressing.interpolate(wc, w, g), g * wc + (1 - g) * w)


def test_gate_zero_returns_previous_and_one_returns_content():
  _, _, w, _, rng = random_inputs(1)
  wc = np_softmax(rng.normal(size=N))
  np.testing.assert_array_equal(addressing.interpolate(wc, w, 0.0), w)
  np.testing.assert_array_equal(addressing.interpolate(wc, w, 1.0), wc)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("width", [1, 3, 5])
def test_circular_shift_matches_eq8(seed, width):
  _, _, w, _, rng = random_inputs(seed)
  s = np_softmax(rng.normal(size=width))
  np.testing.assert_allclose(addressing.circular_shift(w, s), np_shift(w, s), rtol=1e-12)


@pytest.mark.parametrize("offset", [-2, -1, 0, 1, 2])
def test_one_hot_shift_is_a_roll(offset):
  _, _, w, _, _ = random_inputs(2)
  s = np.eye(5)[offset + 2]
  np.testing.assert_allclose(addressing.circular_shift(w, s), np.roll(w, offset))


def test_shift_of_plus_one_moves_focus_to_higher_index_and_wraps():
  w = np.eye(N)[N - 1]
  np.testing.assert_array_equal(
    addressing.circular_shift(w, np.array([0.0, 0.0, 1.0])), np.eye(N)[0]
  )


def test_even_shift_width_is_rejected():
  with pytest.raises(ValueError, match="odd"):
    addressing.circular_shift(np.ones(N) / N, np.ones(2) / 2)


@pytest.mark.parametrize("gamma", [1.0, 1.7, 5.0, 20.0])
def test_sharpen_matches_eq9(gamma):
  _, _, w, _, _ = random_inputs(3)
  np.testing.assert_allclose(addressing.sharpen(w, gamma), np_sharpen(w, gamma), rtol=1e-9)


def test_sharpen_with_gamma_one_is_identity():
  _, _, w, _, _ = random_inputs(4)
  np.testing.assert_allclose(addressing.sharpen(w, 1.0), w, rtol=1e-12)


def test_sharpen_at_huge_gamma_is_one_hot_on_the_max_not_nan():
  _, _, w, _, _ = random_inputs(5)
  out = addressing.sharpen(w, 1e6)
  np.testing.assert_allclose(out, np.eye(N)[np.argmax(w)], atol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_address_composes_the_four_steps(seed):
  memory, key, w, s, rng = random_inputs(seed)
  beta, g, gamma = rng.uniform(0, 5), rng.uniform(), rng.uniform(1, 3)
  expected = np_sharpen(np_shift(g * np_content(memory, key, beta) + (1 - g) * w, s), gamma)
  got = addressing.address(memory, w, key, beta, g, s, gamma)
  # NORM_EPSILON inside the cosine's norms moves values by ~1e-9 relative.
  np.testing.assert_allclose(got, expected, rtol=1e-7)


@pytest.mark.parametrize("seed", range(4))
def test_weightings_are_distributions(seed):
  memory, key, w, s, rng = random_inputs(seed)
  out = addressing.address(memory, w, key, rng.uniform(0, 50), rng.uniform(), s, rng.uniform(1, 30))
  assert np.all(np.asarray(out) >= 0)
  np.testing.assert_allclose(np.sum(out), 1.0, rtol=1e-12)


def test_gradients_match_finite_differences():
  memory, key, w, s, _ = random_inputs(6)
  args = (memory, w, key, 2.0, 0.6, s, 1.5)
  test_util.check_grads(addressing.address, args, order=1, modes=["rev"])
  test_util.check_grads(addressing.content_weights, (memory, key, 3.0), order=1, modes=["rev"])
  test_util.check_grads(addressing.interpolate, (w, np.roll(w, 1), 0.3), order=1, modes=["rev"])
  test_util.check_grads(addressing.circular_shift, (w, s), order=1, modes=["rev"])
  test_util.check_grads(addressing.sharpen, (w, 2.5), order=1, modes=["rev"])


EDGE_CASES = {
  "zero_memory_row": lambda m, k, w: (m.at[3].set(0.0), k, w),
  "zero_memory": lambda m, k, w: (jnp.zeros_like(m), k, w),
  "zero_key": lambda m, k, w: (m, jnp.zeros_like(k), w),
  "one_hot_previous": lambda m, k, w: (m, k, jnp.eye(N)[2]),
}


@pytest.mark.parametrize("case", sorted(EDGE_CASES))
@pytest.mark.parametrize("beta,gamma", [(1.0, 1.0), (1e4, 1.0), (1.0, 1e3), (1e4, 1e3)])
def test_values_and_gradients_finite_at_edge_cases(case, beta, gamma):
  memory, key, w, s, _ = random_inputs(7)
  memory, key, w = EDGE_CASES[case](jnp.asarray(memory), jnp.asarray(key), jnp.asarray(w))
  s = jnp.array([0.0, 1.0, 0.0])  # exact zeros in the shift too

  def loss(memory, w, key, beta, gate, s, gamma):
    return jnp.sum(addressing.address(memory, w, key, beta, gate, s, gamma) * jnp.arange(N))

  args = (memory, w, key, jnp.asarray(beta), jnp.asarray(0.5), s, jnp.asarray(gamma))
  value = loss(*args)
  grads = jax.grad(loss, argnums=tuple(range(7)))(*args)
  chex.assert_tree_all_finite((value, grads))


def test_float32_edge_cases_finite_too():
  with jax.enable_x64(False):
    memory = jnp.zeros((N, M), jnp.float32)
    key = jnp.zeros((M,), jnp.float32)
    w = jnp.eye(N, dtype=jnp.float32)[0]
    s = jnp.array([0.0, 0.0, 1.0], jnp.float32)

    def loss(memory, key, w, beta, gamma):
      return jnp.sum(addressing.address(memory, w, key, beta, 0.3, s, gamma) ** 2)

    args = (memory, key, w, jnp.float32(1e5), jnp.float32(1e4))
    chex.assert_tree_all_finite((loss(*args), jax.grad(loss, argnums=(0, 1, 2, 3, 4))(*args)))
