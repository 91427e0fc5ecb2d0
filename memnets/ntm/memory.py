"""NTM memory: reading, erase-and-add writing, and memory initialisation.

Graves, Wayne & Danihelka 2014, §3.1 (read, eq. 2) and §3.2 (write, eqs. 3–4);
initialisation schemes compared by Collier & Beel 2018 ("Implementing Neural
Turing Machines"), who found a small constant (1e-6) converges fastest. Pure
`jax.numpy`, one example at a time; callers `jax.vmap` over the batch.
"""

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

# Value of every memory cell under the "constant" scheme (Collier & Beel 2018).
CONSTANT_INIT_VALUE = 1e-6
# Standard deviation of the "random" scheme and of the "learned" scheme's start.
RANDOM_INIT_STDDEV = 0.5
MEMORY_INITS = ("constant", "learned", "learned_constant", "random")


def read(memory: ArrayLike, w: ArrayLike) -> jax.Array:
  """Read vector (eq. 2): sum_i w[i] · memory[i].

  Args:
    memory: [N, M]; w: [N] or [R, N] (one weighting per read head).

  Returns:
    [M] or [R, M].
  """
  return jnp.asarray(w) @ jnp.asarray(memory)


def write(memory: ArrayLike, w: ArrayLike, erase: ArrayLike, add: ArrayLike) -> jax.Array:
  """Erase then add (eqs. 3–4).

  One head: memory [N, M], w [N], erase [M] in [0, 1], add [M]:
    memory · (1 − w eraseᵀ) + w addᵀ.
  Several heads: w [W, N], erase [W, M], add [W, M]. Following §3.2, all heads'
  erases are applied first (they multiply, so their order does not matter),
  then all heads' adds (they sum, so their order does not matter either):
    memory · prod_h (1 − w_h erase_hᵀ) + sum_h w_h add_hᵀ.
  This is NOT the same as running one-head writes in sequence, where a later
  head could erase what an earlier head just added.

  Returns:
    [N, M] the new memory.
  """
  memory = jnp.asarray(memory)
  w, erase, add = jnp.asarray(w), jnp.asarray(erase), jnp.asarray(add)
  if w.ndim == 1:
    w, erase, add = w[None], erase[None], add[None]
  keep = jnp.prod(1.0 - w[:, :, None] * erase[:, None, :], axis=0)
  return memory * keep + jnp.einsum("hn,hm->nm", w, add)


def constant_memory(size: int, word_size: int, value: float = CONSTANT_INIT_VALUE) -> jax.Array:
  """The "constant" scheme: every cell equals `value` (default 1e-6). [N, M]."""
  return jnp.full((size, word_size), value, jnp.float32)


def random_memory(
  key: jax.Array, size: int, word_size: int, stddev: float = RANDOM_INIT_STDDEV
) -> jax.Array:
  """The "random" scheme (and the "learned" scheme's start): N(0, stddev²) cells. [N, M]."""
  return stddev * jax.random.normal(key, (size, word_size), jnp.float32)
