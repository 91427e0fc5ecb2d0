"""DNC addressing: usage, allocation, temporal links and read modes.

Graves et al. 2016, "Hybrid computing using a neural network with dynamic
external memory" (Nature), Methods, "Dynamic memory allocation" and "Temporal
memory linkage". Each function handles ONE example (R read heads, N slots;
weightings are rows); callers `jax.vmap` over the batch. Content weighting
and the erase/add write are the NTM's (`memnets.ntm.addressing.content_weights`,
`memnets.ntm.memory.write`), reused as they are. No Flax: plain `jax.numpy`.

One time step, in the order of the Methods:

  ψ   = retention(w^r_{t-1}, f)             free the slots the reads released
  u   = usage(u_{t-1}, w^w_{t-1}, ψ)
  a   = allocation(u)                        the least used slots first
  w^w = write_weights(a, c^w, g^a, g^w)      c^w: content weighting on M_{t-1}
  M   = write(M_{t-1}, w^w, e, v)            (NTM eqs. 3–4)
  L   = link(L_{t-1}, p_{t-1}, w^w)
  p   = precedence(p_{t-1}, w^w)
  f, b = directional_weights(L, w^r_{t-1})
  w^r = read_weights(b, c^r, f, π)           c^r: content weighting on M

Numerical safety: nothing here divides or takes a logarithm, so values and
gradients are finite for all-zero and all-one usage, exact zeros in every
weighting, and empty memories (the content weighting's safety is the NTM's).
The allocation's sort is a permutation chosen from the usage values with the
gradient stopped; the gradient then flows through the sorted values (as in the
paper, which treats the sort order as constant).
"""

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike


def retention(read_weights_prev: ArrayLike, free_gates: ArrayLike) -> jax.Array:
  """Memory retention ψ = Π_i (1 − f_i w^r_{t−1,i}).

  Args:
    read_weights_prev: [R, N] the previous step's read weightings.
    free_gates: [R] free gates f_i in [0, 1]: how much read head i releases
      the slots it read.

  Returns:
    [N] in [0, 1]: 1 keeps a slot's usage, 0 frees the slot.
  """
  read_weights_prev = jnp.asarray(read_weights_prev)
  free_gates = jnp.asarray(free_gates)
  return jnp.prod(1.0 - free_gates[:, None] * read_weights_prev, axis=0)


def usage(usage_prev: ArrayLike, write_weights_prev: ArrayLike, retention: ArrayLike) -> jax.Array:
  """Usage u = (u_{t−1} + w^w_{t−1} − u_{t−1} ∘ w^w_{t−1}) ∘ ψ, all [N], in [0, 1].

  A slot becomes used as it is written to and is freed as the reads release it.
  """
  usage_prev = jnp.asarray(usage_prev)
  write_weights_prev = jnp.asarray(write_weights_prev)
  return (usage_prev + write_weights_prev - usage_prev * write_weights_prev) * retention


def allocation(usage: ArrayLike) -> jax.Array:
  """Allocation weighting: a[φ_j] = (1 − u[φ_j]) Π_{i<j} u[φ_i].

  φ lists the slots in order of increasing usage (ties broken stably: the
  lower index first), so the weight goes to the least used slot, all of it
  when that slot is free (u = 0). The order is a constant of differentiation;
  the gradient flows through the usage values.

  Args:
    usage: [N] usage in [0, 1].

  Returns:
    [N] non-negative, summing to 1 − Π_i u_i (at most 1).
  """
  usage = jnp.asarray(usage)
  order = jnp.argsort(jax.lax.stop_gradient(usage), stable=True)  # φ
  sorted_usage = usage[order]
  # Π_{i<j} u[φ_i]: the exclusive cumulative product.
  used_before = jnp.cumprod(jnp.concatenate([jnp.ones_like(sorted_usage[:1]), sorted_usage[:-1]]))
  sorted_allocation = (1.0 - sorted_usage) * used_before
  return jnp.zeros_like(usage).at[order].set(sorted_allocation)


def write_weights(
  allocation: ArrayLike, content: ArrayLike, allocation_gate: ArrayLike, write_gate: ArrayLike
) -> jax.Array:
  """Write weighting w^w = g^w (g^a a + (1 − g^a) c^w).

  Args:
    allocation: [N] allocation weighting a.
    content: [N] content weighting c^w of the write key on the previous memory.
    allocation_gate: g^a in [0, 1]: allocation (1) or content (0).
    write_gate: g^w in [0, 1]: write (1) or not at all (0).

  Returns:
    [N] non-negative, summing to at most 1.
  """
  allocation = jnp.asarray(allocation)
  content = jnp.asarray(content)
  return write_gate * (allocation_gate * allocation + (1.0 - allocation_gate) * content)


def precedence(precedence_prev: ArrayLike, write_weights: ArrayLike) -> jax.Array:
  """Precedence p = (1 − Σ_i w^w[i]) p_{t−1} + w^w, all [N]: where the last write went."""
  write_weights = jnp.asarray(write_weights)
  return (1.0 - jnp.sum(write_weights)) * jnp.asarray(precedence_prev) + write_weights


def link(link_prev: ArrayLike, precedence_prev: ArrayLike, write_weights: ArrayLike) -> jax.Array:
  """Temporal link L[i, j] = (1 − w[i] − w[j]) L_{t−1}[i, j] + w[i] p_{t−1}[j], zero diagonal.

  L[i, j] is how much slot i was written right after slot j.

  Args:
    link_prev: [N, N] the previous link matrix.
    precedence_prev: [N] the previous step's precedence p_{t−1}.
    write_weights: [N] this step's write weighting w.

  Returns:
    [N, N] with entries in [0, 1], rows and columns summing to at most 1.
  """
  link_prev = jnp.asarray(link_prev)
  w = jnp.asarray(write_weights)
  new = (1.0 - w[:, None] - w[None, :]) * link_prev + w[:, None] * jnp.asarray(precedence_prev)
  return new * (1.0 - jnp.eye(w.shape[0], dtype=new.dtype))


def directional_weights(
  link: ArrayLike, read_weights_prev: ArrayLike
) -> tuple[jax.Array, jax.Array]:
  """Forward f_i = L w^r_{t−1,i} and backward b_i = Lᵀ w^r_{t−1,i} weightings.

  Args:
    link: [N, N] this step's link matrix.
    read_weights_prev: [R, N] the previous step's read weightings.

  Returns:
    (forward [R, N], backward [R, N]): the slots written after and before
    the ones each head read.
  """
  link = jnp.asarray(link)
  read_weights_prev = jnp.asarray(read_weights_prev)
  return read_weights_prev @ link.T, read_weights_prev @ link


def read_weights(
  backward: ArrayLike, content: ArrayLike, forward: ArrayLike, modes: ArrayLike
) -> jax.Array:
  """Read weighting w^r_i = π_i[0] b_i + π_i[1] c^r_i + π_i[2] f_i.

  Args:
    backward, content, forward: [R, N] each.
    modes: [R, 3] read modes π (each row a distribution), in the order
      backward, content, forward.

  Returns:
    [R, N].
  """
  modes = jnp.asarray(modes)
  return (
    modes[:, 0:1] * jnp.asarray(backward)
    + modes[:, 1:2] * jnp.asarray(content)
    + modes[:, 2:3] * jnp.asarray(forward)
  )
