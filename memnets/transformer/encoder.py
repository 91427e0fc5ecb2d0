"""The Transformer encoder baseline of Delétang et al. 2023 (§4, App. A.2).

A whole-sequence model: `TransformerEncoder(inputs [B, T, I]) -> logits
[B, T, O]`, trained by the same train step as the recurrent cells. The
inputs (a task's one-hot tokens, the output phase's query steps included) go
through a bias-free linear embedding scaled by √D, `num_layers` post-norm
blocks (x ← LN(x + attention(x)); x ← LN(x + FFN(x)), FFN D → 4D → D with a
ReLU) and a linear read-out at every position. Attention is not causal: every
position sees the whole sequence, the output phase's query steps included,
as in the paper. Padding steps (all-zero input vectors: in memnets' task
encodings every real step, the output phase's queries included, has a
non-zero input) are masked out as keys, so an example's outputs do not
depend on how far its batch is padded.

The paper's sizes are the defaults: 5 layers, D = 64, 8 heads. Its dropout
(0.1) is left out: memnets' models are deterministic functions of their
parameters and inputs.
"""

import functools

import jax
import jax.numpy as jnp
from flax import nnx

from memnets.transformer import positional


def _attention(query, key, value, bias=None, mask=None, *, encoding: str, **kwargs):
  """`nnx.dot_product_attention` with the rotary or ALiBi encoding applied (else unchanged)."""
  if encoding == "rope":
    query, key = positional.rotary(query), positional.rotary(key)
  elif encoding == "alibi":
    alibi = positional.alibi_bias(query.shape[1], query.shape[2])[None]  # [1, H, T, T]
    bias = alibi if bias is None else bias + alibi
  return nnx.dot_product_attention(query, key, value, bias=bias, mask=mask, **kwargs)


class RelativeAttention(nnx.Module):
  """The attention of Transformer-XL's relative encoding, as `nnx.MultiHeadAttention`'s attention_fn.

  Holds the encoding's parameters (Dai et al. 2019, §3.3): W_R, which
  projects the sinusoidal encodings of the distances to every head, and the
  content and position biases u and v (zero at initialisation). Called with
  the heads' projected queries, keys and values [B, T, H, D].
  """

  def __init__(self, dim: int, num_heads: int, *, rngs: nnx.Rngs):
    self.dim, self.num_heads = dim, num_heads
    head = dim // num_heads
    self.project = nnx.Linear(dim, dim, use_bias=False, rngs=rngs)  # W_R
    self.content_bias = nnx.Param(jnp.zeros((num_heads, head)))  # u
    self.position_bias = nnx.Param(jnp.zeros((num_heads, head)))  # v

  def __call__(self, query, key, value, bias=None, mask=None, **_):
    length, head = query.shape[1], query.shape[-1]
    offsets = jnp.arange(-(length - 1), length)
    distances = self.project(positional.sinusoidal_at(offsets, self.dim))
    distances = distances.reshape(2 * length - 1, self.num_heads, head)
    logits = positional.relative_logits(
      query, key, distances, self.content_bias[...], self.position_bias[...]
    ) / jnp.sqrt(jnp.float32(head))
    if bias is not None:
      logits = logits + bias
    if mask is not None:
      logits = jnp.where(mask, logits, jnp.finfo(logits.dtype).min)
    weights = jax.nn.softmax(logits, axis=-1)
    return jnp.einsum("bhij,bjhd->bihd", weights, value)


class EncoderBlock(nnx.Module):
  """One post-norm block: self-attention, then the feed-forward layer, each with a residual."""

  def __init__(self, dim: int, num_heads: int, widening: int, encoding: str, *, rngs: nnx.Rngs):
    if encoding == "relative":
      attention_fn = RelativeAttention(dim, num_heads, rngs=rngs)
    else:
      attention_fn = functools.partial(_attention, encoding=encoding)
    self.attention = nnx.MultiHeadAttention(
      num_heads,
      dim,
      attention_fn=attention_fn,
      decode=False,
      rngs=rngs,
    )
    self.norm1 = nnx.LayerNorm(dim, rngs=rngs)
    self.hidden = nnx.Linear(dim, widening * dim, rngs=rngs)
    self.out = nnx.Linear(widening * dim, dim, rngs=rngs)
    self.norm2 = nnx.LayerNorm(dim, rngs=rngs)

  def __call__(self, x_BxTxD: jax.Array, mask_Bx1xTxT: jax.Array) -> jax.Array:
    x = self.norm1(x_BxTxD + self.attention(x_BxTxD, mask=mask_Bx1xTxT, deterministic=True))
    return self.norm2(x + self.out(jax.nn.relu(self.hidden(x))))


class TransformerEncoder(nnx.Module):
  """Encoder-only Transformer with a per-position read-out.

  Args:
    input_size, output_size: I and O.
    dim: model width D (the paper: 64).
    num_layers, num_heads: blocks and attention heads (the paper: 5 and 8).
    widening: the feed-forward layer's width over D (the paper's code: 4).
    positional_encoding: one of `positional.ENCODINGS`: "none", "sin_cos"
      (added to the embeddings), "rope", "alibi" or "relative" (inside the
      attention; "relative": Transformer-XL's, `RelativeAttention`).
    rngs: parameter initialisation.
  """

  def __init__(
    self,
    input_size: int,
    output_size: int,
    *,
    dim: int = 64,
    num_layers: int = 5,
    num_heads: int = 8,
    widening: int = 4,
    positional_encoding: str = "sin_cos",
    rngs: nnx.Rngs,
  ):
    if positional_encoding not in positional.ENCODINGS:
      raise ValueError(
        f"positional_encoding: unknown {positional_encoding!r}; known: {positional.ENCODINGS}"
      )
    for name, value in [
      ("dim", dim),
      ("num_layers", num_layers),
      ("num_heads", num_heads),
      ("widening", widening),
    ]:
      if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    if dim % num_heads:
      raise ValueError(f"dim ({dim}) must be a multiple of num_heads ({num_heads})")
    if positional_encoding == "rope" and (dim // num_heads) % 2:
      raise ValueError(f"rope needs an even head size; dim / num_heads = {dim // num_heads}")
    self.input_size = input_size
    self.output_size = output_size
    self.dim = dim
    self.positional_encoding = positional_encoding
    self.embed = nnx.Linear(input_size, dim, use_bias=False, rngs=rngs)
    self.blocks = nnx.List(
      [
        EncoderBlock(dim, num_heads, widening, positional_encoding, rngs=rngs)
        for _ in range(num_layers)
      ]
    )
    self.readout = nnx.Linear(dim, output_size, rngs=rngs)

  def __call__(self, inputs_BxTxI: jax.Array) -> jax.Array:
    """Logits [B, T, O] of every position."""
    if inputs_BxTxI.ndim != 3:
      raise ValueError(f"inputs must be [B, T, I], got shape {inputs_BxTxI.shape}")
    length = inputs_BxTxI.shape[1]
    x = self.embed(inputs_BxTxI) * jnp.sqrt(jnp.float32(self.dim))
    if self.positional_encoding == "sin_cos":
      x = x + positional.sinusoidal(length, self.dim)[None]
    real_BxT = jnp.any(inputs_BxTxI != 0, axis=-1)
    mask = jnp.broadcast_to(real_BxT[:, None, None, :], (x.shape[0], 1, length, length))
    for block in self.blocks:
      x = block(x, mask)
    return self.readout(x)
