"""The CGRU step against a float64 numpy transcription; the hard gate; the first image."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.neural_gpu import cgru


@pytest.fixture
def x64():
  with jax.enable_x64(True):
    yield


def np_conv(state, kernel):
  """'same' convolution by loops: out[b, i, j] = Σ_{di, dj} s[b, i + di, j + dj] @ K[di + c, dj + c]."""
  b, w, n, _ = state.shape
  kw, kh, _, out = kernel.shape
  cw, ch = kw // 2, kh // 2
  result = np.zeros((b, w, n, out))
  for i in range(w):
    for j in range(n):
      for di in range(kw):
        for dj in range(kh):
          ii, jj = i + di - cw, j + dj - ch
          if 0 <= ii < w and 0 <= jj < n:
            result[:, i, j] += state[:, ii, jj] @ kernel[di, dj]
  return result


def np_sigmoid(x):
  return 1 / (1 + np.exp(-x))


def np_cgru(params, state, cutoff):
  gates = np_conv(state, params.gate_kernel) + params.gate_bias
  m = state.shape[-1]
  hard = (
    (lambda x: np.clip(cutoff * np_sigmoid(x) - (cutoff - 1) / 2, 0, 1)) if cutoff else np_sigmoid
  )
  u, r = hard(gates[..., :m]), hard(gates[..., m:])
  candidate = np.tanh(np_conv(r * state, params.candidate_kernel) + params.candidate_bias)
  return u * state + (1 - u) * candidate


def random_params(rng, m, k=3):
  return cgru.CGRUParams(
    rng.normal(size=(k, k, m, 2 * m)), rng.normal(size=2 * m),
    rng.normal(size=(k, k, m, m)), rng.normal(size=m),
  )  # fmt: skip


@pytest.mark.usefixtures("x64")
@pytest.mark.parametrize(
  "cutoff,convolve", [(0.0, cgru.conv), (1.2, cgru.conv), (1.2, cgru.xla_conv)]
)
def test_a_step_matches_the_numpy_transcription(cutoff, convolve):
  rng = np.random.default_rng(0)
  params = random_params(rng, 3)
  state = rng.normal(size=(2, 4, 5, 3))
  params = jax.tree.map(jnp.asarray, params)
  new, saturation = cgru.cgru_step(params, jnp.asarray(state), cutoff, convolve)
  np.testing.assert_allclose(new, np_cgru(params, state, cutoff), rtol=1e-10, atol=1e-12)
  assert (float(saturation) > 0) == (cutoff > 0)  # normal(0, 1) kernels saturate some gates


def test_the_hard_gate_reaches_zero_and_one_and_its_saturation_is_zero_inside():
  x = jnp.array([-50.0, -3.0, 0.0, 3.0, 50.0])
  gate = cgru.hard_sigmoid(x, 1.2)
  assert gate[0] == 0.0 and gate[-1] == 1.0 and gate[2] == pytest.approx(0.5)
  np.testing.assert_allclose(cgru.hard_sigmoid(x, 0.0), jax.nn.sigmoid(x))
  saturation = cgru.saturation(x, 1.2)
  assert saturation[2] == 0.0 and saturation[0] == pytest.approx(0.1) and saturation[-1] > 0


def test_the_first_image_holds_the_tape_in_column_zero():
  tape = jnp.arange(2 * 5 * 3, dtype=jnp.float32).reshape(2, 5, 3)
  image = cgru.first_image(tape, 4)
  assert image.shape == (2, 4, 5, 3)
  np.testing.assert_array_equal(image[:, 0], tape)
  assert not np.any(image[:, 1:])
