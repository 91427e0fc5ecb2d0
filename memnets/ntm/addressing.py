"""NTM addressing: content focus, interpolation, convolutional shift, sharpening.

Graves, Wayne & Danihelka 2014, "Neural Turing Machines", §3.3, eqs. 5–9. Each
function handles ONE head of ONE example (unbatched arrays); callers `jax.vmap`
over heads and batch. No Flax: plain `jax.numpy`.

Numerical safety is part of the contract: values and gradients stay finite for
an all-zero memory row, an all-zero key, weightings with exact zeros, and very
large key strengths `beta` or sharpening exponents `gamma`. Two choices give
that:
- cosine similarity divides by `sqrt(|u|^2 + NORM_EPSILON)` rather than `|u|`,
  so the norm is differentiable at the zero vector (where its gradient is 0);
- sharpening is computed as `softmax(gamma * log(max(w, LOG_FLOOR)))`, which
  equals `w**gamma / sum(w**gamma)` wherever `w >= LOG_FLOOR` but never
  underflows to 0/0 for large `gamma` and never forms `0 * log(0)`.
"""

import jax
import jax.numpy as jnp
from jax.typing import ArrayLike

# Added under the square root of squared norms in the cosine similarity (eq. 6).
NORM_EPSILON = 1e-8
# Weightings below this are treated as this value inside the log of eq. 9.
LOG_FLOOR = 1e-30


def safe_norm(x: ArrayLike, axis: int = -1) -> jax.Array:
  """Euclidean norm `sqrt(|x|^2 + NORM_EPSILON)`: differentiable at zero."""
  x = jnp.asarray(x)
  return jnp.sqrt(jnp.sum(x * x, axis=axis) + NORM_EPSILON)


def cosine_similarity(memory: ArrayLike, key: ArrayLike) -> jax.Array:
  """Cosine similarity K[u, v] (eq. 6) of `key` [M] with each row of `memory` [N, M]."""
  memory = jnp.asarray(memory)
  key = jnp.asarray(key)
  return (memory @ key) / (safe_norm(memory) * safe_norm(key))


def content_weights(memory: ArrayLike, key: ArrayLike, beta: ArrayLike) -> jax.Array:
  """Content-based weighting (eqs. 5–6): softmax over slots of beta · K[key, M(i)].

  Args:
    memory: [N, M] memory matrix.
    key: [M] key vector emitted by the head.
    beta: scalar key strength, >= 0.

  Returns:
    [N] weighting, non-negative, summing to 1.
  """
  return jax.nn.softmax(beta * cosine_similarity(memory, key))


def interpolate(w_content: ArrayLike, w_prev: ArrayLike, gate: ArrayLike) -> jax.Array:
  """Location gate (eq. 7): gate · w_content + (1 − gate) · w_prev, all [N]; gate in [0, 1]."""
  return gate * jnp.asarray(w_content) + (1.0 - gate) * jnp.asarray(w_prev)


def circular_shift(w: ArrayLike, shift: ArrayLike) -> jax.Array:
  """Circular convolution of a weighting with a shift distribution (eq. 8).

  Args:
    w: [N] weighting.
    shift: [S] distribution over offsets, S odd; `shift[j]` is the probability
      of moving the focus by `j - S // 2` slots, positive towards higher
      indices, wrapping around. A one-hot shift at offset +1 is `jnp.roll(w, 1)`.

  Returns:
    [N] weighting: out[i] = sum_j shift[j] · w[(i − (j − S//2)) mod N].
  """
  w = jnp.asarray(w)
  shift = jnp.asarray(shift)
  width = shift.shape[-1]
  if width % 2 != 1:
    raise ValueError(f"shift width must be odd, got {width}")
  half = width // 2
  # A sum of S rolls: S is small (3 in the paper), so this beats a gather or FFT.
  return sum(shift[j] * jnp.roll(w, j - half) for j in range(width))


def sharpen(w: ArrayLike, gamma: ArrayLike) -> jax.Array:
  """Sharpening (eq. 9): w**gamma / sum(w**gamma), gamma >= 1, computed in log space."""
  log_w = jnp.log(jnp.maximum(jnp.asarray(w), LOG_FLOOR))
  return jax.nn.softmax(gamma * log_w)


def address(
  memory: ArrayLike,
  w_prev: ArrayLike,
  key: ArrayLike,
  beta: ArrayLike,
  gate: ArrayLike,
  shift: ArrayLike,
  gamma: ArrayLike,
) -> jax.Array:
  """The full NTM addressing pipeline (Fig. 2): content, interpolate, shift, sharpen.

  Args:
    memory: [N, M]; w_prev: [N] the head's previous weighting; key: [M];
    beta: scalar >= 0; gate: scalar in [0, 1]; shift: [S]; gamma: scalar >= 1.

  Returns:
    [N] weighting for this step.
  """
  w_content = content_weights(memory, key, beta)
  w_gated = interpolate(w_content, w_prev, gate)
  w_shifted = circular_shift(w_gated, shift)
  return sharpen(w_shifted, gamma)
