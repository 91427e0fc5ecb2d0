"""DNC addressing (Graves et al. 2016, Methods) against plain numpy.

Reference implementations are transcribed from the Methods' equations in
float64 numpy, with explicit loops where the paper writes sums and products;
the JAX functions run in float64 too (`jax.enable_x64`).
"""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import test_util

from memnets.dnc import addressing

N, R = 7, 3


@pytest.fixture(autouse=True)
def x64():
  with jax.enable_x64(True):
    yield


def np_softmax(z, axis=-1):
  e = np.exp(z - z.max(axis=axis, keepdims=True))
  return e / e.sum(axis=axis, keepdims=True)


def np_retention(read_prev, free):
  psi = np.ones(read_prev.shape[1])
  for i in range(read_prev.shape[0]):
    psi *= 1 - free[i] * read_prev[i]
  return psi


def np_usage(u_prev, w_prev, psi):
  return (u_prev + w_prev - u_prev * w_prev) * psi


def np_allocation(u):
  phi = sorted(range(len(u)), key=lambda i: (u[i], i))  # free list, stable
  a = np.zeros(len(u))
  for j, slot in enumerate(phi):
    a[slot] = (1 - u[slot]) * np.prod([u[phi[i]] for i in range(j)])
  return a


def np_link(link_prev, p_prev, w):
  n = len(w)
  out = np.zeros((n, n))
  for i in range(n):
    for j in range(n):
      if i != j:
        out[i, j] = (1 - w[i] - w[j]) * link_prev[i, j] + w[i] * p_prev[j]
  return out


def random_weightings(rng, rows, n, total=1.0):
  """Rows of non-negative weights summing to `total` or less."""
  return np_softmax(rng.normal(size=(rows, n))) * rng.uniform(0.5, total, size=(rows, 1))


def random_link(rng, n):
  """A valid link matrix: the result of a few random writes."""
  link, p = np.zeros((n, n)), np.zeros(n)
  for _ in range(5):
    w = random_weightings(rng, 1, n)[0]
    link, p = np_link(link, p, w), (1 - w.sum()) * p + w
  return link, p


@pytest.mark.parametrize("seed", range(3))
def test_retention_is_product_over_read_heads_of_one_minus_free_gate_times_read_weight(seed):
  rng = np.random.default_rng(seed)
  read_prev, free = random_weightings(rng, R, N), rng.uniform(size=R)
  got = addressing.retention(read_prev, free)
  np.testing.assert_allclose(got, np_retention(read_prev, free), rtol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_usage_grows_with_writes_and_shrinks_with_retention(seed):
  rng = np.random.default_rng(seed)
  u_prev, w_prev, psi = rng.uniform(size=N), random_weightings(rng, 1, N)[0], rng.uniform(size=N)
  got = addressing.usage(u_prev, w_prev, psi)
  np.testing.assert_allclose(got, np_usage(u_prev, w_prev, psi), rtol=1e-12)
  full = addressing.usage(u_prev, w_prev, np.ones(N))
  assert np.all(full >= u_prev - 1e-12) and np.all(full <= 1 + 1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_allocation_matches_the_sorted_free_list_product(seed):
  rng = np.random.default_rng(seed)
  u = rng.uniform(size=N)
  np.testing.assert_allclose(addressing.allocation(u), np_allocation(u), rtol=1e-12, atol=1e-15)


def test_allocation_sums_to_one_minus_product_of_usage_and_at_most_one():
  u = np.random.default_rng(0).uniform(size=N)
  a = np.asarray(addressing.allocation(u))
  assert np.all(a >= 0)
  np.testing.assert_allclose(a.sum(), 1 - np.prod(u), rtol=1e-12)


def test_allocation_puts_all_weight_on_the_free_slot_when_one_exists():
  u = np.array([0.9, 0.5, 0.0, 0.7, 1.0, 0.3, 0.8])
  np.testing.assert_allclose(addressing.allocation(u), np.eye(N)[2], atol=1e-15)


def test_allocation_breaks_usage_ties_towards_the_lower_index():
  u = np.array([0.5, 0.2, 0.9, 0.2, 0.2, 0.7, 0.6])
  a = np.asarray(addressing.allocation(u))
  # Slots 1, 3 and 4 tie: slot 1 comes first in the free list, then 3, then 4.
  np.testing.assert_allclose(a[[1, 3, 4]], [0.8, 0.8 * 0.2, 0.8 * 0.04], rtol=1e-12)
  np.testing.assert_allclose(a, np_allocation(u), rtol=1e-12)


def test_allocation_gradient_flows_through_usage_values_not_the_order():
  u = np.array([0.3, 0.1, 0.6])  # order φ = (1, 0, 2)
  jac = np.asarray(jax.jacobian(addressing.allocation)(u))
  # a[1] = 1 − u1; a[0] = (1 − u0) u1; a[2] = (1 − u2) u1 u0.
  want = np.array(
    [
      [-u[1], 1 - u[0], 0],
      [0, -1, 0],
      [(1 - u[2]) * u[1], (1 - u[2]) * u[0], -u[1] * u[0]],
    ]
  )
  np.testing.assert_allclose(jac, want, rtol=1e-12)


@pytest.mark.parametrize("fill", [0.0, 1.0])
def test_allocation_is_finite_in_value_and_gradient_at_all_zero_and_all_one_usage(fill):
  u = jnp.full(N, fill)
  a = addressing.allocation(u)
  grad = jax.grad(lambda u: jnp.sum(addressing.allocation(u) * jnp.arange(N)))(u)
  chex.assert_tree_all_finite((a, grad))
  np.testing.assert_allclose(a.sum(), 1 - fill**N)
  if fill == 0.0:
    np.testing.assert_allclose(a, np.eye(N)[0])  # all free: the first slot


@pytest.mark.parametrize("seed", range(3))
def test_write_weights_mix_allocation_and_content_then_gate(seed):
  rng = np.random.default_rng(seed)
  a, c = random_weightings(rng, 2, N)
  ga, gw = rng.uniform(size=2)
  got = addressing.write_weights(a, c, ga, gw)
  np.testing.assert_allclose(got, gw * (ga * a + (1 - ga) * c), rtol=1e-12)
  np.testing.assert_allclose(addressing.write_weights(a, c, ga, 0.0), np.zeros(N))


@pytest.mark.parametrize("seed", range(3))
def test_precedence_decays_with_the_write_total_then_adds_the_write(seed):
  rng = np.random.default_rng(seed)
  p_prev, w = random_weightings(rng, 2, N)
  got = np.asarray(addressing.precedence(p_prev, w))
  np.testing.assert_allclose(got, (1 - w.sum()) * p_prev + w, rtol=1e-12)
  assert got.sum() <= 1 + 1e-12
  one_hot = np.eye(N)[4]
  np.testing.assert_allclose(addressing.precedence(p_prev, one_hot), one_hot)


@pytest.mark.parametrize("seed", range(3))
def test_link_matches_the_methods_update_elementwise(seed):
  rng = np.random.default_rng(seed)
  link_prev, p_prev = random_link(rng, N)
  w = random_weightings(rng, 1, N)[0]
  np.testing.assert_allclose(
    addressing.link(link_prev, p_prev, w), np_link(link_prev, p_prev, w), rtol=1e-12, atol=1e-15
  )


def test_link_has_a_zero_diagonal_and_rows_and_columns_summing_to_at_most_one():
  rng = np.random.default_rng(5)
  link, p = np.zeros((N, N)), np.zeros(N)
  for _ in range(20):
    w = random_weightings(rng, 1, N)[0]
    link = np.asarray(addressing.link(link, p, w))
    p = np.asarray(addressing.precedence(p, w))
    np.testing.assert_array_equal(np.diag(link), np.zeros(N))
    assert link.min() >= 0
    assert link.sum(axis=1).max() <= 1 + 1e-12
    assert link.sum(axis=0).max() <= 1 + 1e-12


@pytest.mark.parametrize("seed", range(3))
def test_directional_weights_are_link_times_read_weights_and_its_transpose(seed):
  rng = np.random.default_rng(seed)
  link, _ = random_link(rng, N)
  read_prev = random_weightings(rng, R, N)
  forward, backward = addressing.directional_weights(link, read_prev)
  np.testing.assert_allclose(forward, np.stack([link @ w for w in read_prev]), rtol=1e-12)
  np.testing.assert_allclose(backward, np.stack([link.T @ w for w in read_prev]), rtol=1e-12)


@pytest.mark.parametrize("seed", range(3))
def test_read_weights_mix_backward_content_forward_by_the_modes_in_that_order(seed):
  rng = np.random.default_rng(seed)
  b, c, f = (random_weightings(rng, R, N) for _ in range(3))
  modes = np_softmax(rng.normal(size=(R, 3)))
  got = addressing.read_weights(b, c, f, modes)
  want = np.stack([modes[i, 0] * b[i] + modes[i, 1] * c[i] + modes[i, 2] * f[i] for i in range(R)])
  np.testing.assert_allclose(got, want, rtol=1e-12)
  pure = addressing.read_weights(b, c, f, np.tile([0.0, 0.0, 1.0], (R, 1)))
  np.testing.assert_allclose(pure, f)


def test_forward_mode_reads_follow_the_write_order():
  """Write slots 3, 0, 5, 1 one-hot, in that order; from slot 3, forward reads visit 0, 5, 1."""
  order = [3, 0, 5, 1]
  link, p = jnp.zeros((N, N)), jnp.zeros(N)
  for slot in order:
    w = jnp.eye(N)[slot]
    link, p = addressing.link(link, p, w), addressing.precedence(p, w)
  read = jnp.eye(N)[None, 3]
  forward_mode = jnp.array([[0.0, 0.0, 1.0]])
  visited = []
  for _ in range(len(order) - 1):
    forward, backward = addressing.directional_weights(link, read)
    read = addressing.read_weights(backward, jnp.zeros((1, N)), forward, forward_mode)
    visited.append(int(jnp.argmax(read[0])))
    np.testing.assert_allclose(read[0].max(), 1.0)
  assert visited == order[1:]
  backward_mode = jnp.array([[1.0, 0.0, 0.0]])
  forward, backward = addressing.directional_weights(link, read)
  back = addressing.read_weights(backward, jnp.zeros((1, N)), forward, backward_mode)
  assert int(jnp.argmax(back[0])) == order[-2]


def test_check_grads_of_every_function():
  rng = np.random.default_rng(0)
  read_prev, free = random_weightings(rng, R, N), rng.uniform(size=R)
  u_prev, w_prev = rng.uniform(size=N), random_weightings(rng, 1, N)[0]
  a, c = random_weightings(rng, 2, N)
  link_prev, p_prev = random_link(rng, N)
  b, cr, f = (random_weightings(rng, R, N) for _ in range(3))
  modes = np_softmax(rng.normal(size=(R, 3)))
  u_distinct = np.linspace(0.05, 0.95, N)[rng.permutation(N)]  # no ties: the sort is locally fixed
  cases = [
    (addressing.retention, (read_prev, free)),
    (addressing.usage, (u_prev, w_prev, rng.uniform(size=N))),
    (addressing.allocation, (u_distinct,)),
    (addressing.write_weights, (a, c, 0.3, 0.8)),
    (addressing.precedence, (p_prev, w_prev)),
    (addressing.link, (link_prev, p_prev, w_prev)),
    (addressing.directional_weights, (link_prev, read_prev)),
    (addressing.read_weights, (b, cr, f, modes)),
  ]
  for fn, args in cases:
    test_util.check_grads(fn, args, order=1, modes=("rev",), eps=1e-6)


def test_every_function_is_finite_in_value_and_gradient_at_zero_inputs():
  zeros_rn, zeros_n = jnp.zeros((R, N)), jnp.zeros(N)

  def total(*args):
    psi = addressing.retention(args[0], jnp.zeros(R))
    u = addressing.usage(args[1], args[1], psi)
    a = addressing.allocation(u)
    w = addressing.write_weights(a, args[1], 0.0, 0.0)
    link = addressing.link(jnp.zeros((N, N)), args[1], w)
    p = addressing.precedence(args[1], w)
    f, b = addressing.directional_weights(link, args[0])
    r = addressing.read_weights(b, args[0], f, jnp.zeros((R, 3)))
    return jnp.sum(r) + jnp.sum(p) + jnp.sum(a)

  value, grads = jax.value_and_grad(total, argnums=(0, 1))(zeros_rn, zeros_n)
  chex.assert_tree_all_finite((value, grads))
