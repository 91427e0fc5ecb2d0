"""The DNC's sparse link (Methods, "Sparse link matrix") against the dense link."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx
from jax import test_util

from memnets import DNCCell, unroll
from memnets.dnc import addressing
from memnets.dnc import sparse_link as sl

N, R = 10, 2


@pytest.fixture
def x64():
  with jax.enable_x64(True):
    yield


def init64(n, k):
  link = sl.init(n, k)
  return link._replace(value=link.value.astype(jnp.float64))


def soft_writes(rng, steps, n, sharpness=3.0):
  """Write weightings summing to less than 1, as the DNC's gated writes do."""
  for _ in range(steps):
    w = np.exp(sharpness * rng.normal(size=n))
    yield jnp.asarray(w / w.sum() * rng.uniform(0.2, 1.0))


def run_both(k, writes, n=N):
  """The dense and the sparse link through the same writes: [(dense, sparse)] per step."""
  dense, sparse, p = jnp.zeros((n, n)), init64(n, k), jnp.zeros(n)
  out = []
  for w in writes:
    dense = addressing.link(dense, p, w)
    sparse = sl.update(sparse, p, w)
    p = addressing.precedence(p, w)
    out.append((dense, sparse))
  return out


@pytest.mark.usefixtures("x64")
def test_with_k_equal_to_n_it_is_the_dense_link():
  rng = np.random.default_rng(0)
  for dense, sparse in run_both(N, soft_writes(rng, 15, N)):
    np.testing.assert_allclose(sl.to_dense(sparse), dense, atol=1e-12)
    reads = jax.nn.softmax(jnp.asarray(rng.normal(size=(R, N))), -1)
    for got, want in zip(
      sl.directional_weights(sparse, reads),
      addressing.directional_weights(dense, reads),
      strict=True,
    ):
      np.testing.assert_allclose(got, want, atol=1e-12)


@pytest.mark.usefixtures("x64")
def test_one_hot_writes_are_exact_with_one_entry_per_row():
  order = [3, 7, 1, 8, 0, 5]
  writes = [jax.nn.one_hot(i, N, dtype=jnp.float64) for i in order]
  dense, sparse = run_both(1, writes)[-1]
  np.testing.assert_array_equal(sl.to_dense(sparse), dense)
  forward, backward = sl.directional_weights(sparse, jax.nn.one_hot(order[:1], N))
  np.testing.assert_array_equal(forward[0], jax.nn.one_hot(order[1], N))  # the next write
  np.testing.assert_array_equal(backward[0], jnp.zeros(N))  # nothing before the first


@pytest.mark.usefixtures("x64")
@pytest.mark.parametrize("k", [1, 3, 5])
def test_invariants_of_the_truncated_link(k):
  rng = np.random.default_rng(k)
  for _, sparse in run_both(k, soft_writes(rng, 25, N)):
    dense = np.asarray(sl.to_dense(sparse))
    assert np.all(dense >= 0) and np.all(dense <= 1)
    assert np.all(np.diag(dense) == 0)
    assert dense.sum(0).max() <= 1 + 1e-12 and dense.sum(1).max() <= 1 + 1e-12
    assert np.all((dense > 0).sum(1) <= k)
    for row_index, row_value in zip(
      np.asarray(sparse.index), np.asarray(sparse.value), strict=True
    ):
      kept = row_index[row_value > 0]
      assert len(set(kept)) == len(kept)  # one stored entry per column


@pytest.mark.usefixtures("x64")
def test_the_approximation_error_falls_as_k_grows():
  n, errors = 32, []
  for k in (1, 4, 16):
    writes = soft_writes(np.random.default_rng(3), 30, n, sharpness=8.0)
    dense, sparse = run_both(k, writes, n=n)[-1]
    errors.append(np.abs(np.asarray(sl.to_dense(sparse)) - np.asarray(dense)).max())
  assert errors[0] > errors[1] > errors[2] and errors[2] < 0.01, errors


@pytest.mark.usefixtures("x64")
def test_gradients_match_finite_differences():
  rng = np.random.default_rng(4)
  link = run_both(3, soft_writes(rng, 6, N))[-1][1]
  p = jax.nn.softmax(jnp.asarray(rng.normal(size=N))) * 0.9
  w = jax.nn.softmax(jnp.asarray(3 * rng.normal(size=N))) * 0.8
  reads = jax.nn.softmax(jnp.asarray(rng.normal(size=(R, N))), -1)

  def f(p, w, reads):  # not of the stored values: ties at their zeros make it a kink
    new = sl.update(link, p, w)
    forward, backward = sl.directional_weights(new, reads)
    return jnp.sum(forward * jnp.arange(N)) + jnp.sum(backward**2) + jnp.sum(new.value**2)

  test_util.check_grads(f, (p, w, reads), order=1, modes=["rev"], eps=1e-6)


@pytest.mark.usefixtures("x64")
def test_finite_gradients_at_all_zero_inputs_and_ties():
  link = init64(N, 3)

  def f(p, w, reads):
    new = sl.update(link, p, w)
    forward, backward = sl.directional_weights(new, reads)
    return jnp.sum(forward) + jnp.sum(backward) + jnp.sum(new.value)

  zeros = jnp.zeros(N)
  for args in [(zeros, zeros, jnp.zeros((R, N))), (jnp.full(N, 0.1), jnp.full(N, 0.1), jnp.ones((R, N)) / N)]:  # fmt: skip
    grads = jax.grad(f, argnums=(0, 1, 2))(*args)
    assert all(np.all(np.isfinite(g)) for g in grads)


def test_k_outside_one_to_n_is_refused():
  with pytest.raises(ValueError, match=r"k must be in \[1, memory_size=4\], got 5"):
    sl.init(4, 5)
  with pytest.raises(ValueError, match="sparse_link must be in"):
    DNCCell(3, 2, memory_size=4, sparse_link=5, rngs=nnx.Rngs(0))


def test_a_cell_with_k_equal_to_n_computes_what_the_dense_cell_computes():
  sizes = dict(controller_size=8, memory_size=6, word_size=4, num_read_heads=2)
  dense = DNCCell(3, 2, **sizes, rngs=nnx.Rngs(0))
  sparse = DNCCell(3, 2, **sizes, sparse_link=6, rngs=nnx.Rngs(0))
  xs = jax.random.normal(jax.random.key(0), (2, 7, 3))
  (d_state, d_ys), (s_state, s_ys) = unroll(dense, xs), unroll(sparse, xs)
  np.testing.assert_allclose(s_ys, d_ys, atol=1e-6)
  np.testing.assert_allclose(jax.vmap(sl.to_dense)(s_state.link), d_state.link, atol=1e-6)
  np.testing.assert_allclose(sparse.trace(xs)["link"], d_state.link, atol=1e-6)


def test_a_small_k_cell_has_finite_gradients_from_the_empty_memory():
  cell = DNCCell(3, 2, controller_size=8, memory_size=16, word_size=4, sparse_link=2,
                 rngs=nnx.Rngs(1))  # fmt: skip
  graphdef, params = nnx.split(cell)

  def loss(params, xs):
    _, ys = unroll(nnx.merge(graphdef, params), xs)
    return jnp.sum(ys**2)

  grad = jax.jit(jax.grad(loss))
  for xs in [jnp.zeros((2, 5, 3)), 1e4 * jnp.ones((2, 5, 3))]:
    grads = grad(params, xs)
    assert all(np.all(np.isfinite(g)) for g in jax.tree.leaves(grads))
