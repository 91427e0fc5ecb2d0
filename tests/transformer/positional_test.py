"""Positional encodings (memnets/transformer/positional.py) against their definitions."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.transformer import positional


def test_sinusoidal_is_sin_at_even_and_cos_at_odd_features():
  table = np.asarray(positional.sinusoidal(7, 6))
  for t in range(7):
    for k in range(3):
      angle = t / 10_000 ** (2 * k / 6)
      assert table[t, 2 * k] == pytest.approx(math.sin(angle), abs=1e-6)
      assert table[t, 2 * k + 1] == pytest.approx(math.cos(angle), abs=1e-6)


def test_sinusoidal_odd_width():
  assert positional.sinusoidal(3, 5).shape == (3, 5)


def test_rotary_keeps_norms_and_makes_scores_depend_on_the_offset_only():
  q = jax.random.normal(jax.random.key(0), (1, 1, 1, 8))
  k = jax.random.normal(jax.random.key(1), (1, 1, 1, 8))
  length = 9
  qs = positional.rotary(np.broadcast_to(q, (1, length, 1, 8)))
  ks = positional.rotary(np.broadcast_to(k, (1, length, 1, 8)))
  np.testing.assert_allclose(np.linalg.norm(qs, axis=-1), np.linalg.norm(q), rtol=1e-5)
  scores = np.einsum("id,jd->ij", qs[0, :, 0], ks[0, :, 0])
  for offset in (-3, 0, 2):
    diagonal = np.diagonal(scores, offset)
    np.testing.assert_allclose(diagonal, diagonal[0], rtol=1e-4, atol=1e-5)
  np.testing.assert_allclose(qs[0, 0], q[0, 0], rtol=1e-6)  # position 0: no rotation


def test_rotary_refuses_an_odd_head_size():
  with pytest.raises(ValueError, match="even head size"):
    positional.rotary(np.zeros((1, 2, 1, 3)))


def test_alibi_penalises_distance_per_head_and_tells_left_from_right():
  bias = np.asarray(positional.alibi_bias(5, 4))
  slopes = 2.0 ** (-8.0 * np.arange(1, 5) / 4)
  assert bias.shape == (4, 5, 5)
  np.testing.assert_allclose(np.diagonal(bias, axis1=1, axis2=2), 0)
  np.testing.assert_allclose(bias[:, 2, 4], -2 * slopes, rtol=1e-6)  # key 2 to the right
  np.testing.assert_allclose(bias[:, 2, 0], -1.5 * slopes, rtol=1e-6)  # key 2 to the left


def test_relative_logits_match_a_loop_over_queries_and_keys():
  b, t, h, d = 2, 4, 3, 5
  keys = jax.random.split(jax.random.key(0), 5)
  q, k = (jax.random.normal(key, (b, t, h, d)) for key in keys[:2])
  distances = jax.random.normal(keys[2], (2 * t - 1, h, d))
  u, v = (jax.random.normal(key, (h, d)) for key in keys[3:])
  got = np.asarray(positional.relative_logits(q, k, distances, u, v))
  q, k, distances, u, v = map(np.asarray, (q, k, distances, u, v))
  want = np.zeros((b, h, t, t))
  for i in range(t):
    for j in range(t):
      e = distances[i - j + t - 1]  # the encoding of distance i − j
      want[:, :, i, j] = ((q[:, i] + u) * k[:, j]).sum(-1) + ((q[:, i] + v) * e).sum(-1)
  np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
  with pytest.raises(ValueError, match="2T − 1 = 7 distances"):
    positional.relative_logits(q, k, distances[:5], u, v)


def test_sinusoidal_at_negative_positions_is_odd_in_sin_and_even_in_cos():
  table = np.asarray(positional.sinusoidal_at(jnp.asarray([-3, 3]), 6))
  np.testing.assert_allclose(table[0, 0::2], -table[1, 0::2], rtol=1e-6)
  np.testing.assert_allclose(table[0, 1::2], table[1, 1::2], rtol=1e-6)
  np.testing.assert_allclose(positional.sinusoidal(4, 6)[3], table[1], rtol=1e-6)
