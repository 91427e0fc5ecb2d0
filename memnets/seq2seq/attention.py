"""Additive attention (Bahdanau et al. 2015, §3.1 and App. A.1.2), pure functions.

e_j = vᵀ tanh(W s + U h_j) scores each source position j against the decoder
state s; α = softmax(e) over the unpadded positions; the context is Σ_j α_j h_j.
"""

import jax
import jax.numpy as jnp

MASKED_SCORE = -1e9  # the score of a padded position before the softmax
EPSILON = 1e-30  # floor of the weights' sum: a fully padded row gets zero weights, not NaN


def masked_softmax(scores_BxS: jax.Array, mask_BxS: jax.Array) -> jax.Array:
  """softmax over the positions where `mask` is 1; exactly 0 elsewhere and on fully padded rows."""
  mask = mask_BxS.astype(scores_BxS.dtype)
  weights = jax.nn.softmax(jnp.where(mask > 0, scores_BxS, MASKED_SCORE), axis=-1) * mask
  return weights / jnp.maximum(jnp.sum(weights, axis=-1, keepdims=True), EPSILON)


def additive_scores(query_BxA: jax.Array, keys_BxSxA: jax.Array, v_A: jax.Array) -> jax.Array:
  """e_j = vᵀ tanh(W s + U h_j), from the projected query W s [B, A] and keys U h [B, S, A]."""
  return jnp.tanh(query_BxA[:, None, :] + keys_BxSxA) @ v_A


def attend(query_BxA, keys_BxSxA, values_BxSxH, v_A, mask_BxS):
  """(context [B, H], weights [B, S]) of additive attention over the unpadded positions."""
  weights = masked_softmax(additive_scores(query_BxA, keys_BxSxA, v_A), mask_BxS)
  return jnp.einsum("bs,bsh->bh", weights, values_BxSxH), weights
