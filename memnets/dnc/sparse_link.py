"""The DNC's sparse temporal link matrix (Graves et al. 2016, Methods, "Sparse link matrix").

The dense link costs O(N²) time and memory per step and example. Its sparse
form keeps, for each slot i, only its K strongest predecessors: the link is
stored as K (column, value) pairs per row, and each update sees the write
weighting and the previous precedence through their K largest entries only
(ŵ and p̂, the rest set to zero, not renormalised):

    L[i, j] = (1 − ŵ[i] − ŵ[j]) L_{t−1}[i, j] + ŵ[i] p̂[j],   zero diagonal,

after which each row keeps its K largest entries. Only the K rows where ŵ is
non-zero gain entries, so one update costs O(N K + K³),
the forward and backward weightings O(R N K); nothing of size N × N is formed.
With K = N it is the dense link exactly. Rows and columns still sum to at most
1 and all entries stay in [0, 1], since truncation only removes mass.

Where this differs from the paper's description: the paper renormalises ŵ and
p̂ to sum to one and then zeroes entries of the link below 1/K, which bounds
rows and columns to K entries at O(N K) cost. Here ŵ and p̂ keep their own
mass (so K = N recovers the dense link and small weights are not inflated),
and a fixed K per row replaces the 1/K threshold, so the state has a static
shape for `jax.lax.scan`.

One example, plain `jax.numpy`; callers `jax.vmap` over the batch. The
gradient flows through the kept values, not through which entries are kept
(as through the allocation's sort).
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike


class SparseLink(NamedTuple):
  """A link matrix with K entries per row: L[i, index[i, k]] = value[i, k], all else 0.

  Entries with a non-zero value have distinct columns within their row; the
  diagonal is never stored with a non-zero value.
  """

  index: jax.Array  # [N, K] int32 column j of each kept entry of row i
  value: jax.Array  # [N, K] L[i, j]


def init(memory_size: int, k: int) -> SparseLink:
  """An all-zero link of N = `memory_size` rows with `k` entries each."""
  if not 1 <= k <= memory_size:
    raise ValueError(f"sparse link: k must be in [1, memory_size={memory_size}], got {k}")
  return SparseLink(
    index=jnp.zeros((memory_size, k), jnp.int32),
    value=jnp.zeros((memory_size, k), jnp.float32),
  )


def top_k(x: ArrayLike, k: int) -> tuple[jax.Array, jax.Array]:
  """The K largest entries of `x` [N]: (values [K], indices [K]); the rest count as zero."""
  return jax.lax.top_k(jnp.asarray(x), k)


def update(
  link_prev: SparseLink, precedence_prev: ArrayLike, write_weights: ArrayLike
) -> SparseLink:
  """The sparse form of `addressing.link`: ŵ, p̂ and each row cut to their K largest.

  Args:
    link_prev: the previous link, K entries per row.
    precedence_prev: [N] the previous step's precedence p_{t−1} (dense).
    write_weights: [N] this step's write weighting w (dense).

  Returns:
    The new link with the same K.
  """
  k = link_prev.value.shape[1]
  w = jnp.asarray(write_weights)
  w_val, w_idx = top_k(w, k)
  w_hat = jnp.zeros_like(w).at[w_idx].set(w_val)  # ŵ: w outside its top K set to 0
  p_val, p_idx = top_k(precedence_prev, k)
  # Every kept entry, decayed: (1 − ŵ[i] − ŵ[j]) L[i, j]. Rows outside ŵ's
  # support get no new entry (ŵ[i] = 0), so only ŵ's K rows are merged.
  decayed = (1.0 - w_hat[:, None] - w_hat[link_prev.index]) * link_prev.value
  old, index = decayed[w_idx], link_prev.index[w_idx]  # [K rows, K kept]
  # New candidates of row i at the columns of p̂: ŵ[i] p̂[j] plus the kept
  # entry already at that column, which is then dropped from the kept ones.
  same = index[:, :, None] == p_idx[None, None, :]  # [K rows, K kept, K new]
  new = w_val[:, None] * p_val[None, :] + jnp.einsum("rk,rkj->rj", old, same.astype(old.dtype))
  new = jnp.where(p_idx[None, :] == w_idx[:, None], 0.0, new)  # zero diagonal
  old = jnp.where(jnp.any(same, axis=-1), 0.0, old)
  values = jnp.concatenate([old, new], axis=1)  # [K rows, 2K]
  columns = jnp.concatenate([index, jnp.broadcast_to(p_idx, (k, k))], axis=1)
  value, pick = jax.lax.top_k(values, k)
  return SparseLink(
    index=link_prev.index.at[w_idx].set(jnp.take_along_axis(columns, pick, axis=1)),
    value=decayed.at[w_idx].set(value),
  )


def directional_weights(
  link: SparseLink, read_weights_prev: ArrayLike
) -> tuple[jax.Array, jax.Array]:
  """The sparse form of `addressing.directional_weights`: (forward [R, N], backward [R, N])."""
  w = jnp.asarray(read_weights_prev)  # [R, N]
  forward = jnp.einsum("nk,rnk->rn", link.value, w[:, link.index])
  backward = jnp.zeros_like(w).at[:, link.index].add(link.value[None] * w[:, :, None])
  return forward, backward


def to_dense(link: SparseLink) -> jax.Array:
  """The [N, N] matrix of `link` (for plots and tests)."""
  n = link.value.shape[0]
  return jnp.zeros((n, n), link.value.dtype).at[jnp.arange(n)[:, None], link.index].add(link.value)
