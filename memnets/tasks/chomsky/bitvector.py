"""Arbitrary-precision arithmetic on little-endian bit vectors, in pure JAX.

The binary tasks of Delétang et al. 2023 ("Neural Networks and the Chomsky
Hierarchy", App. A: binary_addition, binary_multiplication, compute_sqrt) use
numbers of up to ~500 bits, far beyond int64, so the generators compute with bit
vectors: int32 arrays `[..., W]` of 0/1 with bit k worth 2**k. Results are
truncated to W bits; callers choose W large enough. Addition is a vectorised
carry-lookahead (a carry into bit i comes from the last bit j < i that does not
propagate a carry), so one addition is O(W) work with no loop over bits;
multiplication is a convolution plus log2(W) additions; the square root is a
`jax.lax.scan` over the W / 2 bit pairs.
"""

import jax
import jax.numpy as jnp


def add(a: jax.Array, b: jax.Array, carry_in: jax.Array | int = 0) -> jax.Array:
  """(a + b + carry_in) mod 2**W.

  Args:
    a: [..., W] bits.
    b: [..., W] bits.
    carry_in: 0 or 1, broadcastable to a[..., 0].

  Returns:
    [..., W] bits of the sum.
  """
  width = a.shape[-1]
  generate = a & b
  propagate = a ^ b
  index = jnp.arange(width)
  # Last position <= i that stops propagation (it generates or kills the carry).
  stop = jnp.where(propagate == 0, index, -1)
  last_stop = jax.lax.cummax(stop, axis=stop.ndim - 1)
  # Carry into bit i is decided at the last stop strictly below i.
  below = jnp.concatenate([jnp.full_like(last_stop[..., :1], -1), last_stop[..., :-1]], axis=-1)
  carry_from_stop = jnp.take_along_axis(generate, jnp.maximum(below, 0), axis=-1)
  carry_in = jnp.broadcast_to(jnp.asarray(carry_in, a.dtype)[..., None], a.shape)
  carry = jnp.where(below >= 0, carry_from_stop, carry_in)
  return propagate ^ carry


def subtract(a: jax.Array, b: jax.Array) -> jax.Array:
  """(a - b) mod 2**W for [..., W] bit vectors (exact when a >= b)."""
  return add(a, 1 - b, 1)


def greater_equal(a: jax.Array, b: jax.Array) -> jax.Array:
  """[...] bool: a >= b, decided by the highest bit where they differ."""
  index = jnp.arange(a.shape[-1])
  highest_difference = jnp.max(jnp.where(a != b, index, -1), axis=-1)
  bit_of_a = jnp.take_along_axis(a, jnp.maximum(highest_difference, 0)[..., None], axis=-1)
  return (highest_difference < 0) | (bit_of_a[..., 0] == 1)


def shift_up(a: jax.Array, places: int) -> jax.Array:
  """a * 2**places mod 2**W for a static number of places."""
  zeros = jnp.zeros_like(a[..., :places])
  return jnp.concatenate([zeros, a[..., : a.shape[-1] - places]], axis=-1)


def bit_length(a: jax.Array) -> jax.Array:
  """[...] int32 number of bits without leading zeros (0 for the number 0)."""
  index = jnp.arange(1, a.shape[-1] + 1)
  return jnp.max(jnp.where(a == 1, index, 0), axis=-1)


def multiply(a: jax.Array, b: jax.Array) -> jax.Array:
  """(a * b) mod 2**W for [B, W] bit vectors.

  Long multiplication: column k of the schoolbook product holds
  c_k = sum_j a_j b_{k-j} <= W (a convolution, exact in float32 for W < 2**24);
  writing each c_k in binary, product = sum_p (plane_p << p) where plane_p holds bit
  p of every column, i.e. log2(W) + 1 bit-vector additions.
  """
  width = a.shape[-1]
  columns = jax.vmap(jnp.convolve)(a.astype(jnp.float32), b.astype(jnp.float32))
  columns = jnp.round(columns[:, :width]).astype(jnp.int32)
  index = jnp.arange(width)

  def add_plane(place, total):
    plane = (columns >> place) & 1
    return add(total, jnp.where(index >= place, jnp.roll(plane, place, axis=-1), 0))

  return jax.lax.fori_loop(0, width.bit_length(), add_plane, jnp.zeros_like(a))


def integer_sqrt(a: jax.Array) -> jax.Array:
  """floor(sqrt(a)) for [B, W] bit vectors (W even), by the digit-by-digit method.

  Bit pairs are taken from the top; with remainder r and root q so far:
  r <- 4r + pair, and if r >= 4q + 1 then r <- r - (4q + 1), q <- 2q + 1, else q <- 2q.

  Returns:
    [B, W] bits of the root (it has at most W / 2 bits).
  """
  width = a.shape[-1]
  if width % 2:
    raise ValueError(f"integer_sqrt: width must be even, got {width}")
  # Two guard bits: the remainder stays below 2 * (2q + 1) <= 2**(W/2 + 2).
  padded = jnp.pad(a, ((0, 0), (0, 2)))
  pairs_PxBx2 = jnp.flip(padded[:, :width].reshape(a.shape[0], width // 2, 2), axis=1)
  pairs_PxBx2 = jnp.transpose(pairs_PxBx2, (1, 0, 2))

  def digit(carry, pair_Bx2):
    remainder, root = carry
    remainder = shift_up(remainder, 2).at[:, 0].set(pair_Bx2[:, 0]).at[:, 1].set(pair_Bx2[:, 1])
    trial = shift_up(root, 2).at[:, 0].set(1)
    fits_B = greater_equal(remainder, trial)
    remainder = jnp.where(fits_B[:, None], subtract(remainder, trial), remainder)
    root = shift_up(root, 1).at[:, 0].set(fits_B.astype(root.dtype))
    return (remainder, root), None

  init = (jnp.zeros_like(padded), jnp.zeros_like(padded))
  (_, root), _ = jax.lax.scan(digit, init, pairs_PxBx2)
  return root[:, :width]


def from_int(value: int, width: int) -> list[int]:
  """Little-endian bits of a non-negative Python int (for tests and examples)."""
  return [(value >> k) & 1 for k in range(width)]


def to_int(bits) -> int:
  """Python int of little-endian bits (for tests and examples)."""
  return sum(int(bit) << k for k, bit in enumerate(bits))
