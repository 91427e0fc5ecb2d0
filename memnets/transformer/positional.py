"""Positional encodings of the Transformer encoder, as pure functions.

The five of Delétang et al. 2023 (§5.4): none, sinusoidal (Vaswani et al.
2017: added to the embeddings), rotary (RoPE, Su et al. 2021: rotates queries
and keys by their position), ALiBi (Press et al. 2022: a per-head linear
distance penalty added to the attention logits) and Transformer-XL's relative
encoding (Dai et al. 2019, §3.3: `relative_logits`, with its learned
projection and biases in `encoder.RelativeAttention`).
"""

import jax
import jax.numpy as jnp

ENCODINGS = ("none", "sin_cos", "rope", "alibi", "relative")


def sinusoidal(length: int, dim: int, base: float = 10_000.0) -> jax.Array:
  """[length, dim] encodings of positions 0 … length − 1 (`sinusoidal_at`)."""
  return sinusoidal_at(jnp.arange(length), dim, base)


def sinusoidal_at(positions: jax.Array, dim: int, base: float = 10_000.0) -> jax.Array:
  """[P, dim] encodings of `positions` [P] (any sign): sin at even features, cos at odd.

  Wavelengths 2π … 2π·base.
  """
  positions = jnp.asarray(positions, jnp.float32)[:, None]
  length = positions.shape[0]
  frequencies = base ** (-jnp.arange(0, dim, 2, dtype=jnp.float32) / dim)
  angles = positions * frequencies[None, :]  # [T, ceil(D / 2)]
  table = jnp.zeros((length, dim), jnp.float32)
  table = table.at[:, 0::2].set(jnp.sin(angles))
  return table.at[:, 1::2].set(jnp.cos(angles[:, : dim // 2]))


def rotary(x_BxTxHxD: jax.Array, base: float = 10_000.0) -> jax.Array:
  """Queries or keys [B, T, H, D] (D even) with each feature pair rotated by position × frequency.

  Pair (2k, 2k + 1) of position t turns by the angle t · base^(−2k / D), so the
  dot product of a rotated query and key depends on their positions only
  through their difference.
  """
  length, dim = x_BxTxHxD.shape[1], x_BxTxHxD.shape[-1]
  if dim % 2:
    raise ValueError(f"rope needs an even head size, got {dim}")
  frequencies = base ** (-jnp.arange(0, dim, 2, dtype=jnp.float32) / dim)
  angles = jnp.arange(length, dtype=jnp.float32)[:, None] * frequencies[None, :]  # [T, D/2]
  cos, sin = jnp.cos(angles)[None, :, None, :], jnp.sin(angles)[None, :, None, :]
  even, odd = x_BxTxHxD[..., 0::2], x_BxTxHxD[..., 1::2]
  rotated = jnp.stack([even * cos - odd * sin, even * sin + odd * cos], axis=-1)
  return rotated.reshape(x_BxTxHxD.shape).astype(x_BxTxHxD.dtype)


def alibi_slopes(num_heads: int) -> jax.Array:
  """[H] slopes 2^(−8 h / H), h = 1 … H (Press et al.'s geometric sequence)."""
  return 2.0 ** (-8.0 * jnp.arange(1, num_heads + 1, dtype=jnp.float32) / num_heads)


def alibi_bias(length: int, num_heads: int) -> jax.Array:
  """[H, T, T] logits bias −slope_h · d(i, j) for query i and key j, without a causal mask.

  d(i, j) = |i − j|, less a half step for keys before the query (j < i), so
  that left and right neighbours at one distance are told apart.
  """
  i = jnp.arange(length)[:, None]
  j = jnp.arange(length)[None, :]
  distance = jnp.abs(i - j).astype(jnp.float32) - 0.5 * (j < i)
  return -alibi_slopes(num_heads)[:, None, None] * distance[None]


def relative_logits(
  query_BxTxHxD: jax.Array,
  key_BxTxHxD: jax.Array,
  distances_RxHxD: jax.Array,
  content_bias_HxD: jax.Array,
  position_bias_HxD: jax.Array,
) -> jax.Array:
  """[B, H, T, T] Transformer-XL logits of query i and key j, not yet scaled.

  (q_i + u)·k_j + (q_i + v)·e_{i−j} (Dai et al. 2019, §3.3: terms (a)–(d)),
  where e_d = `distances[d + T − 1]` is the projected encoding of the
  distance d = i − j ∈ [−(T − 1), T − 1] (both signs: the encoder is not
  causal), u the content bias and v the position bias. Memory: the [T, T, H,
  D] gathered encodings, independent of the batch.
  """
  length = query_BxTxHxD.shape[1]
  if distances_RxHxD.shape[0] != 2 * length - 1:
    raise ValueError(
      f"distances must cover the 2T − 1 = {2 * length - 1} distances, got {distances_RxHxD.shape[0]}"
    )
  content = jnp.einsum("bihd,bjhd->bhij", query_BxTxHxD + content_bias_HxD, key_BxTxHxD)
  index = jnp.arange(length)[:, None] - jnp.arange(length)[None, :] + length - 1  # [T, T]
  pairs_TxTxHxD = distances_RxHxD[index]
  position = jnp.einsum("bihd,ijhd->bhij", query_BxTxHxD + position_bias_HxD, pairs_TxTxHxD)
  return content + position
