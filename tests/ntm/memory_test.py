"""NTM memory read (eq. 2), erase/add write (eqs. 3–4), initialisation schemes."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import test_util

from memnets.ntm import memory

N, M = 8, 5


@pytest.fixture(autouse=True)
def x64():
  with jax.enable_x64(True):
    yield


def random_memory_and_weights(seed, heads=None):
  rng = np.random.default_rng(seed)
  shape = (N,) if heads is None else (heads, N)
  w = rng.uniform(size=shape)
  w = w / w.sum(-1, keepdims=True)
  return rng.normal(size=(N, M)), w, rng


def test_read_matches_eq2():
  mem, w, _ = random_memory_and_weights(0)
  expected = sum(w[i] * mem[i] for i in range(N))
  np.testing.assert_allclose(memory.read(mem, w), expected, rtol=1e-12)


def test_read_with_several_heads():
  mem, w, _ = random_memory_and_weights(1, heads=3)
  np.testing.assert_allclose(memory.read(mem, w), np.stack([wh @ mem for wh in w]), rtol=1e-12)


def test_write_matches_eqs3_4():
  mem, w, rng = random_memory_and_weights(2)
  erase, add = rng.uniform(size=M), rng.normal(size=M)
  expected = np.empty_like(mem)
  for i in range(N):
    expected[i] = mem[i] * (1 - w[i] * erase) + w[i] * add
  np.testing.assert_allclose(memory.write(mem, w, erase, add), expected, rtol=1e-12)


def test_full_erase_without_add_clears_the_addressed_row():
  mem, _, _ = random_memory_and_weights(3)
  out = memory.write(mem, np.eye(N)[5], np.ones(M), np.zeros(M))
  np.testing.assert_array_equal(out[5], np.zeros(M))
  np.testing.assert_array_equal(np.delete(np.asarray(out), 5, 0), np.delete(mem, 5, 0))


def test_zero_erase_and_add_leaves_memory_unchanged():
  mem, w, _ = random_memory_and_weights(4)
  np.testing.assert_array_equal(memory.write(mem, w, np.zeros(M), np.zeros(M)), mem)


def test_several_write_heads_erase_all_then_add_all():
  mem, w, rng = random_memory_and_weights(5, heads=2)
  erase, add = rng.uniform(size=(2, M)), rng.normal(size=(2, M))
  erased = mem * (1 - np.outer(w[0], erase[0])) * (1 - np.outer(w[1], erase[1]))
  expected = erased + np.outer(w[0], add[0]) + np.outer(w[1], add[1])
  np.testing.assert_allclose(memory.write(mem, w, erase, add), expected, rtol=1e-12)


def test_several_write_heads_differ_from_sequential_writes_and_ignore_head_order():
  mem, w, rng = random_memory_and_weights(6, heads=2)
  erase, add = rng.uniform(size=(2, M)), rng.normal(size=(2, M))
  joint = memory.write(mem, w, erase, add)
  swapped = memory.write(mem, w[::-1], erase[::-1], add[::-1])
  np.testing.assert_allclose(joint, swapped, rtol=1e-12)
  sequential = memory.write(memory.write(mem, w[0], erase[0], add[0]), w[1], erase[1], add[1])
  assert not np.allclose(joint, sequential)


def test_gradients_match_finite_differences():
  mem, w, rng = random_memory_and_weights(7)
  erase, add = rng.uniform(size=M), rng.normal(size=M)
  test_util.check_grads(memory.read, (mem, w), order=1, modes=["rev"])
  test_util.check_grads(memory.write, (mem, w, erase, add), order=1, modes=["rev"])
  w2 = np.stack([w, np.roll(w, 2)])
  test_util.check_grads(
    memory.write,
    (mem, w2, rng.uniform(size=(2, M)), add[None].repeat(2, 0)),
    order=1,
    modes=["rev"],
  )


def test_gradients_finite_with_zero_memory_and_one_hot_weights():
  def loss(mem, w, erase, add):
    return jnp.sum(memory.read(memory.write(mem, w, erase, add), w) ** 2)

  args = (jnp.zeros((N, M)), jnp.eye(N)[0], jnp.ones(M), jnp.zeros(M))
  chex.assert_tree_all_finite(jax.grad(loss, argnums=(0, 1, 2, 3))(*args))


def test_constant_init_is_one_in_a_million():
  mem = memory.constant_memory(N, M)
  chex.assert_shape(mem, (N, M))
  np.testing.assert_allclose(mem, np.full((N, M), 1e-6), rtol=1e-6)


def test_random_init_is_deterministic_per_key_and_has_the_stated_scale():
  a = memory.random_memory(jax.random.key(0), 256, 32)
  b = memory.random_memory(jax.random.key(0), 256, 32)
  c = memory.random_memory(jax.random.key(1), 256, 32)
  np.testing.assert_array_equal(a, b)
  assert not np.allclose(a, c)
  np.testing.assert_allclose(np.std(a), memory.RANDOM_INIT_STDDEV, rtol=0.05)
