"""The Neural GPU's convolutional GRU (Kaiser & Sutskever 2016, §2) as pure functions.

A state ("mental image") is [B, w, n, m]: w columns (4 in the paper), n the
tape's length, m features per cell. One CGRU step with kernels U', U'', U
([kw, kh, m, m] each, 3 × 3 in the paper) and biases B', B'', B ([m]):

  u = σ(U' ∗ s + B')            the update gate
  r = σ(U'' ∗ s + B'')          the reset gate
  CGRU(s) = u ⊙ s + (1 − u) ⊙ tanh(U ∗ (r ⊙ s) + B)

where ∗ is a 'same'-padded 2-D convolution over (w, n). The gates' two
kernels are kept as one [kw, kh, m, 2m] kernel (one convolution, split in
two). With `cutoff` c > 0 the gates' sigmoid is the hard one of the paper's
code, clip(c·σ(x) − (c − 1)/2, 0, 1), whose gates reach exactly 0 and 1 (c =
1.2 there); the candidate's tanh stays smooth, as in that code.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp


class CGRUParams(NamedTuple):
  """One CGRU layer's weights: the gates' kernel [kw, kh, m, 2m] and bias [2m], the candidate's."""

  gate_kernel: jax.Array
  gate_bias: jax.Array
  candidate_kernel: jax.Array
  candidate_bias: jax.Array


def conv(state: jax.Array, kernel: jax.Array) -> jax.Array:
  """'same'-padded convolution of [B, w, n, m_in] with [kw, kh, m_in, m_out] (stride 1).

  Written as one matmul of the kw·kh shifted copies of the zero-padded state
  (its patches) with the flattened kernel: the form whose gradient is fast.
  In the training step (a scan over the tape, vmapped over seeds) it was 7×
  faster on the CPU than XLA's convolution, whose forward pass alone is 2×
  faster (`xla_conv`, used for evaluation; docs/performance.md).
  """
  kw, kh = kernel.shape[:2]
  _, w, n, _ = state.shape
  padded = jnp.pad(state, ((0, 0), (kw // 2, kw // 2), (kh // 2, kh // 2), (0, 0)))
  patches = jnp.concatenate(
    [padded[:, i : i + w, j : j + n] for i in range(kw) for j in range(kh)], axis=-1
  )
  return patches @ kernel.reshape(-1, kernel.shape[-1])


def xla_conv(state: jax.Array, kernel: jax.Array) -> jax.Array:
  """The same convolution by `jax.lax.conv_general_dilated` (the faster forward pass)."""
  return jax.lax.conv_general_dilated(
    state, kernel, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")
  )


def _scaled_sigmoid(x: jax.Array, cutoff: float) -> jax.Array:
  """c·σ(x) − (c − 1)/2: the hard gate before its clip to [0, 1]."""
  return cutoff * jax.nn.sigmoid(x) - 0.5 * (cutoff - 1.0)


def hard_sigmoid(x: jax.Array, cutoff: float) -> jax.Array:
  """σ(x), or its hard version clip(c·σ(x) − (c − 1)/2, 0, 1) for cutoff c > 0."""
  if cutoff <= 0:
    return jax.nn.sigmoid(x)
  return jnp.clip(_scaled_sigmoid(x, cutoff), 0.0, 1.0)


def saturation(x: jax.Array, cutoff: float) -> jax.Array:
  """How far c·σ(x) − (c − 1)/2 lies outside [0, 1] (0 inside): where the hard gate is flat."""
  if cutoff <= 0:
    return jnp.zeros_like(x)
  scaled = _scaled_sigmoid(x, cutoff)
  return jnp.abs(scaled - jnp.clip(scaled, 0.0, 1.0))


def cgru_step(
  params: CGRUParams, state: jax.Array, cutoff: float = 0.0, convolve=conv
) -> tuple[jax.Array, jax.Array]:
  """One CGRU layer: `(new_state [B, w, n, m], saturation)`; `convolve`: `conv` or `xla_conv`.

  `saturation` is the mean over the gates of how far c·σ(x) − (c − 1)/2 lies
  outside [0, 1], where the hard gate's gradient is zero (0 without a cut-off).
  """
  logits = convolve(state, params.gate_kernel) + params.gate_bias
  if cutoff <= 0:
    gates, saturated = jax.nn.sigmoid(logits), jnp.float32(0)
  else:  # the sigmoid once, for the gates and their saturation
    scaled = _scaled_sigmoid(logits, cutoff)
    gates = jnp.clip(scaled, 0.0, 1.0)
    saturated = jnp.mean(jnp.abs(scaled - gates))
  update, reset = jnp.split(gates, 2, axis=-1)
  candidate = convolve(reset * state, params.candidate_kernel) + params.candidate_bias
  new_state = update * state + (1.0 - update) * jnp.tanh(candidate)
  return new_state, saturated


def first_image(embedded_BxNxM: jax.Array, width: int) -> jax.Array:
  """The first mental image [B, w, n, m]: the embedded tape in column 0, zeros elsewhere."""
  rest = jnp.zeros((embedded_BxNxM.shape[0], width - 1, *embedded_BxNxM.shape[1:]))
  return jnp.concatenate([embedded_BxNxM[:, None], rest.astype(embedded_BxNxM.dtype)], axis=1)
