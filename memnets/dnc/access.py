"""DNC memory access: the interface vector and one step of the memory, one example.

Graves et al. 2016 (Nature), Methods, "Interface parameters" and the order of
one step ("Dynamic memory allocation", "Temporal memory linkage", "Reading").
The controller emits ONE raw vector per step; `interface` splits it and applies
the paper's activations; `step` runs the write, the link update and the reads
in the Methods' order, from `memnets.dnc.addressing` and the NTM's content
weighting and erase/add write. Plain `jax.numpy`; callers `jax.vmap` over the
batch.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

from memnets.dnc import addressing, sparse_link
from memnets.ntm import addressing as ntm_addressing
from memnets.ntm import memory as ntm_memory

NUM_READ_MODES = 3  # backward, content, forward


class Interface(NamedTuple):
  """The interface vector ξ after its activations (R read heads, word size M)."""

  read_keys: jax.Array  # [R, M] k^r, unconstrained
  read_strengths: jax.Array  # [R] β^r = oneplus(·) >= 1
  write_key: jax.Array  # [M] k^w, unconstrained
  write_strength: jax.Array  # [] β^w = oneplus(·) >= 1
  erase: jax.Array  # [M] e, sigmoid
  write_vector: jax.Array  # [M] v, unconstrained
  free_gates: jax.Array  # [R] f, sigmoid
  allocation_gate: jax.Array  # [] g^a, sigmoid
  write_gate: jax.Array  # [] g^w, sigmoid
  read_modes: jax.Array  # [R, 3] π, softmax over backward, content, forward


class Memory(NamedTuple):
  """What the memory carries from one step to the next (one example)."""

  memory: jax.Array  # [N, M]
  usage: jax.Array  # [N] u
  link: jax.Array | sparse_link.SparseLink  # [N, N] L, or K entries per row (sparse)
  precedence: jax.Array  # [N] p
  read_weights: jax.Array  # [R, N] w^r
  write_weights: jax.Array  # [N] w^w


class Step(NamedTuple):
  """The new memory, the read vectors, and the weightings that made them (for plots)."""

  memory: Memory
  reads: jax.Array  # [R, M]
  allocation: jax.Array  # [N] a
  write_content: jax.Array  # [N] c^w


def interface_size(num_read_heads: int, word_size: int) -> int:
  """Length of the raw interface vector: R·M + 3M + 5R + 3 (Methods)."""
  return num_read_heads * word_size + 3 * word_size + 5 * num_read_heads + 3


def oneplus(x: ArrayLike) -> jax.Array:
  """oneplus(x) = 1 + log(1 + e^x): a strength in [1, ∞)."""
  return 1.0 + jax.nn.softplus(x)


def interface(raw: ArrayLike, num_read_heads: int, word_size: int) -> Interface:
  """Splits one raw interface vector [interface_size(R, M)] and applies the activations."""
  raw = jnp.asarray(raw)
  r, m = num_read_heads, word_size
  if raw.shape[-1] != interface_size(r, m):
    raise ValueError(f"interface: expected {interface_size(r, m)} numbers, got {raw.shape[-1]}")
  sizes = [r * m, r, m, 1, m, m, r, 1, 1, NUM_READ_MODES * r]
  bounds = [sum(sizes[:i]) for i in range(1, len(sizes))]
  parts = jnp.split(raw, bounds, axis=-1)
  keys, strengths, wkey, wstrength, erase, vector, free, alloc, wgate, modes = parts
  return Interface(
    read_keys=keys.reshape(r, m),
    read_strengths=oneplus(strengths),
    write_key=wkey,
    write_strength=oneplus(wstrength[0]),
    erase=jax.nn.sigmoid(erase),
    write_vector=vector,
    free_gates=jax.nn.sigmoid(free),
    allocation_gate=jax.nn.sigmoid(alloc[0]),
    write_gate=jax.nn.sigmoid(wgate[0]),
    read_modes=jax.nn.softmax(modes.reshape(r, NUM_READ_MODES), axis=-1),
  )


def initial_memory(
  memory_size: int, word_size: int, num_read_heads: int, sparse_link_k: int = 0
) -> Memory:
  """Empty memory (all zeros), no usage, no links, no precedence, zero weightings.

  `sparse_link_k` > 0 keeps the link in the Methods' sparse form with that many
  entries per row (`memnets.dnc.sparse_link`); 0: the dense N × N link.
  """
  n = memory_size
  if sparse_link_k < 0:
    raise ValueError(f"sparse_link_k must be >= 0 (0: dense link), got {sparse_link_k}")
  return Memory(
    memory=jnp.zeros((n, word_size), jnp.float32),
    usage=jnp.zeros((n,), jnp.float32),
    link=sparse_link.init(n, sparse_link_k) if sparse_link_k else jnp.zeros((n, n), jnp.float32),
    precedence=jnp.zeros((n,), jnp.float32),
    read_weights=jnp.zeros((num_read_heads, n), jnp.float32),
    write_weights=jnp.zeros((n,), jnp.float32),
  )


_content_heads = jax.vmap(ntm_addressing.content_weights, in_axes=(None, 0, 0))


def step(prev: Memory, xi: Interface) -> Step:
  """One step of the DNC's memory (the Methods' order; see `memnets.dnc.addressing`).

  The write addresses the previous memory (content weighting with the write
  key, allocation from the usage after the previous step's write and reads),
  then the link and precedence follow the write, then the reads address the
  new memory through content and the links from the previous read weightings.
  A sparse link (`prev.link` a `sparse_link.SparseLink`) steps through
  `sparse_link` instead of the dense `addressing.link`.
  """
  psi = addressing.retention(prev.read_weights, xi.free_gates)
  usage = addressing.usage(prev.usage, prev.write_weights, psi)
  allocation = addressing.allocation(usage)
  write_content = ntm_addressing.content_weights(prev.memory, xi.write_key, xi.write_strength)
  write_w = addressing.write_weights(allocation, write_content, xi.allocation_gate, xi.write_gate)
  mem = ntm_memory.write(prev.memory, write_w, xi.erase, xi.write_vector)
  if isinstance(prev.link, sparse_link.SparseLink):
    link = sparse_link.update(prev.link, prev.precedence, write_w)
    forward, backward = sparse_link.directional_weights(link, prev.read_weights)
  else:
    link = addressing.link(prev.link, prev.precedence, write_w)
    forward, backward = addressing.directional_weights(link, prev.read_weights)
  precedence = addressing.precedence(prev.precedence, write_w)
  read_content = _content_heads(mem, xi.read_keys, xi.read_strengths)
  read_w = addressing.read_weights(backward, read_content, forward, xi.read_modes)
  new = Memory(
    memory=mem,
    usage=usage,
    link=link,
    precedence=precedence,
    read_weights=read_w,
    write_weights=write_w,
  )
  return Step(
    memory=new,
    reads=ntm_memory.read(mem, read_w),
    allocation=allocation,
    write_content=write_content,
  )
