"""A straightforward JAX NTM: the benchmark's reference for memnets' `NTMCell`.

Written as a first JAX port of the NTM paper (Graves, Wayne & Danihelka 2014,
§3) reads: one `lax.scan` over a step function in plain `jnp`, the memory
slot-major [B, N, M], gradients by automatic differentiation, no custom
gradient, no fused access, no layout tuning. The model is the one the
benchmark's `ntm` case trains (an LSTM controller, one read and one write
head, the same head activations, controller output clipped at ±20, memory
initialised to 1e-6, every weighting starting on slot 0) and has the same
number of parameters, but its own parameter layout and initialisation, so
the benchmark compares only speed with it.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp

CONTROLLER_CLIP = 20.0
MEMORY_INIT = 1e-6
EPSILON = 1e-8  # under the square roots of the norms
LOG_FLOOR = 1e-30  # sharpening takes log max(w, LOG_FLOOR)


class Sizes(NamedTuple):
  inputs: int
  outputs: int
  hidden: int  # LSTM controller units
  slots: int  # N
  word: int  # M
  shifts: int  # S, odd

  @property
  def read_head(self) -> int:
    """Raw outputs of the read head: key, beta, gate, shift, gamma."""
    return self.word + 3 + self.shifts

  @property
  def write_head(self) -> int:
    """Raw outputs of the write head: the read head's, then erase and add."""
    return self.read_head + 2 * self.word


def init(key: jax.Array, sizes: Sizes) -> dict[str, jax.Array]:
  """Parameters: LeCun-normal weights, zero biases."""
  shapes = {
    "lstm_x": (sizes.inputs + sizes.word, 4 * sizes.hidden),
    "lstm_h": (sizes.hidden, 4 * sizes.hidden),
    "heads": (sizes.hidden, sizes.read_head + sizes.write_head),
    "out": (sizes.hidden + sizes.word, sizes.outputs),
  }
  keys = jax.random.split(key, len(shapes))
  params = {
    name: jax.random.normal(k, shape) / jnp.sqrt(shape[0])
    for k, (name, shape) in zip(keys, shapes.items(), strict=True)
  }
  params["lstm_b"] = jnp.zeros(4 * sizes.hidden)
  params["heads_b"] = jnp.zeros(sizes.read_head + sizes.write_head)
  params["out_b"] = jnp.zeros(sizes.outputs)
  return params


def _head(raw: jax.Array, sizes: Sizes):
  """Key [B, M], beta, gate [B, 1], shift [B, S], gamma [B, 1] from a head's raw outputs."""
  m, s = sizes.word, sizes.shifts
  return (
    jnp.tanh(raw[:, :m]),
    jax.nn.softplus(raw[:, m : m + 1]),
    jax.nn.sigmoid(raw[:, m + 1 : m + 2]),
    jax.nn.softmax(raw[:, m + 2 : m + 2 + s], axis=-1),
    1.0 + jax.nn.softplus(raw[:, m + 2 + s : m + 3 + s]),
  )


def _weighting(memory, w_prev, key, beta, gate, shift, gamma):
  """Content focus, interpolation, circular shift and sharpening; memory [B, N, M]."""
  dots = jnp.einsum("bnm,bm->bn", memory, key)
  norms = jnp.sqrt(jnp.sum(memory**2, -1) + EPSILON) * jnp.sqrt(
    jnp.sum(key**2, -1, keepdims=True) + EPSILON
  )
  content = jax.nn.softmax(beta * dots / norms, axis=-1)
  gated = gate * content + (1.0 - gate) * w_prev
  half = shift.shape[-1] // 2
  shifted = sum(shift[:, j : j + 1] * jnp.roll(gated, j - half, -1) for j in range(2 * half + 1))
  return jax.nn.softmax(gamma * jnp.log(jnp.maximum(shifted, LOG_FLOOR)), axis=-1)


def _step(params, sizes: Sizes, carry, x):
  h, c, memory, read_w, write_w, read = carry
  z = jnp.concatenate([x, read], -1) @ params["lstm_x"] + h @ params["lstm_h"] + params["lstm_b"]
  i, f, g, o = jnp.split(z, 4, -1)
  c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
  h = jax.nn.sigmoid(o) * jnp.tanh(c)
  out = jnp.clip(h, -CONTROLLER_CLIP, CONTROLLER_CLIP)
  raw = out @ params["heads"] + params["heads_b"]
  raw_read, raw_write = raw[:, : sizes.read_head], raw[:, sizes.read_head :]
  write_w = _weighting(memory, write_w, *_head(raw_write, sizes))
  p, m = sizes.read_head, sizes.word
  erase = jax.nn.sigmoid(raw_write[:, p : p + m])
  add = jnp.tanh(raw_write[:, p + m :])
  memory = (
    memory * (1.0 - write_w[:, :, None] * erase[:, None]) + write_w[:, :, None] * add[:, None]
  )
  read_w = _weighting(memory, read_w, *_head(raw_read, sizes))
  read = jnp.einsum("bnm,bn->bm", memory, read_w)
  y = jnp.concatenate([out, read], -1) @ params["out"] + params["out_b"]
  return (h, c, memory, read_w, write_w, read), y


def apply(params, sizes: Sizes, inputs_BxTxI: jax.Array) -> jax.Array:
  """Logits [B, T, O] of the NTM on inputs [B, T, I]."""
  b = inputs_BxTxI.shape[0]
  focus = jnp.zeros((b, sizes.slots)).at[:, 0].set(1.0)
  carry = (
    jnp.zeros((b, sizes.hidden)),
    jnp.zeros((b, sizes.hidden)),
    jnp.full((b, sizes.slots, sizes.word), MEMORY_INIT),
    focus,
    focus,
    jnp.full((b, sizes.word), MEMORY_INIT),  # the read of slot 0
  )
  _, ys_TxBxO = jax.lax.scan(
    lambda carry, x: _step(params, sizes, carry, x), carry, jnp.swapaxes(inputs_BxTxI, 0, 1)
  )
  return jnp.swapaxes(ys_TxBxO, 0, 1)
