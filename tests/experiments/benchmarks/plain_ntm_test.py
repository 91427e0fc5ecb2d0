"""The benchmark's straightforward JAX NTM: a working model, safe at edge cases."""

import jax
import jax.numpy as jnp
import numpy as np

from experiments.benchmarks import plain_ntm

SIZES = plain_ntm.Sizes(inputs=5, outputs=4, hidden=6, slots=8, word=3, shifts=3)


def test_logits_have_the_sequence_shape_and_gradients_are_finite_at_zero_inputs():
  params = plain_ntm.init(jax.random.key(0), SIZES)
  zeros = jnp.zeros((2, 7, SIZES.inputs))  # zero inputs: zero keys and writes early on
  logits = plain_ntm.apply(params, SIZES, zeros)
  assert logits.shape == (2, 7, SIZES.outputs)
  grads = jax.grad(lambda p: jnp.sum(plain_ntm.apply(p, SIZES, zeros) ** 2))(params)
  assert all(bool(jnp.all(jnp.isfinite(g))) for g in jax.tree.leaves(grads))
  assert any(float(jnp.max(jnp.abs(g))) > 0 for g in jax.tree.leaves(grads))


def test_a_write_reaches_a_later_read():
  """The memory carries information across steps: an early input changes late outputs."""
  params = plain_ntm.init(jax.random.key(1), SIZES)
  base = jax.random.normal(jax.random.key(2), (1, 6, SIZES.inputs))
  changed = base.at[:, 0].add(1.0)
  late = lambda x: plain_ntm.apply(params, SIZES, x)[:, -1]  # noqa: E731
  assert not np.allclose(late(base), late(changed))


def test_parameter_count_matches_the_head_layout():
  params = plain_ntm.init(jax.random.key(0), SIZES)
  h, m, s = SIZES.hidden, SIZES.word, SIZES.shifts
  heads = (m + 3 + s) + (3 * m + 3 + s)
  lstm = (SIZES.inputs + m) * 4 * h + h * 4 * h + 4 * h
  expected = lstm + (h + 1) * heads + (h + m + 1) * SIZES.outputs
  assert sum(p.size for p in jax.tree.leaves(params)) == expected
