"""memnets/dnc/access.py: the interface vector's split and activations, the empty memory, one step."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.dnc import access, sparse_link

R, M, N = 2, 3, 5


def test_the_interface_has_the_methods_length_and_activations():
  size = access.interface_size(R, M)
  assert size == R * M + 3 * M + 5 * R + 3
  raw = np.arange(size, dtype=np.float32) / size - 0.5
  xi = access.interface(raw, R, M)
  np.testing.assert_allclose(xi.read_keys, raw[: R * M].reshape(R, M))
  np.testing.assert_allclose(
    xi.read_strengths, 1 + np.log1p(np.exp(raw[R * M : R * M + R])), rtol=1e-6
  )
  assert float(xi.write_strength) >= 1.0
  for gate in (xi.erase, xi.free_gates, xi.allocation_gate, xi.write_gate):
    assert np.all((np.asarray(gate) > 0) & (np.asarray(gate) < 1))
  np.testing.assert_allclose(np.asarray(xi.read_modes).sum(-1), 1.0, rtol=1e-6)
  chex.assert_shape([xi.read_modes, xi.write_vector], [(R, access.NUM_READ_MODES), (M,)])
  with pytest.raises(ValueError, match=f"expected {size} numbers, got {size - 1}"):
    access.interface(raw[:-1], R, M)


def test_the_initial_memory_is_empty_dense_or_sparse():
  dense = access.initial_memory(N, M, R)
  for leaf in jax.tree.leaves(dense):
    assert not np.any(np.asarray(leaf))
  assert dense.link.shape == (N, N)
  assert isinstance(access.initial_memory(N, M, R, sparse_link_k=2).link, sparse_link.SparseLink)
  with pytest.raises(ValueError, match="sparse_link_k must be >= 0"):
    access.initial_memory(N, M, R, sparse_link_k=-1)


def test_a_full_allocation_write_fills_the_first_free_slot_and_the_read_sees_it():
  size = access.interface_size(R, M)
  raw = np.zeros(size, np.float32)
  xi = access.interface(raw, R, M)._replace(
    allocation_gate=jnp.float32(1.0), write_gate=jnp.float32(1.0), erase=jnp.zeros(M),
    write_vector=jnp.array([1.0, 2.0, 3.0]),
  )  # fmt: skip
  out = access.step(access.initial_memory(N, M, R), xi)
  # Empty usage: allocation puts all its weight on the first slot.
  np.testing.assert_allclose(out.allocation, np.eye(N)[0], atol=1e-6)
  np.testing.assert_allclose(out.memory.memory[0], [1.0, 2.0, 3.0], rtol=1e-6)
  np.testing.assert_allclose(out.memory.memory[1:], 0.0)
  np.testing.assert_allclose(out.memory.usage, 0.0)  # usage counts the previous step's write
  np.testing.assert_allclose(out.memory.precedence, np.eye(N)[0], atol=1e-6)
  # No links yet: only the content mode's share π_content of each read weighting is left.
  np.testing.assert_allclose(
    np.asarray(out.memory.read_weights).sum(-1), xi.read_modes[:, 1], rtol=1e-5
  )
  np.testing.assert_allclose(
    out.reads, np.asarray(out.memory.read_weights) @ np.asarray(out.memory.memory), rtol=1e-5
  )


def test_a_step_has_finite_gradients_from_the_empty_memory():
  size = access.interface_size(R, M)

  def loss(raw):
    out = access.step(access.initial_memory(N, M, R), access.interface(raw, R, M))
    return jnp.sum(out.reads**2) + jnp.sum(out.memory.memory**2)

  for raw in (jnp.zeros(size), 50.0 * jnp.ones(size)):
    value, grad = jax.value_and_grad(loss)(raw)
    chex.assert_tree_all_finite((value, grad))
