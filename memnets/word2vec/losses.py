"""The negative-sampling objectives of skip-gram and CBOW, as pure functions of the embeddings.

Mikolov et al. 2013b (§2.2, eq. 4): for an input word w_I and an output
word w_O, negative sampling replaces log p(w_O | w_I) by

  log σ(v'_{w_O} · v_{w_I}) + Σ_{i=1..k} log σ(−v'_{w_i} · v_{w_I}),  w_i ~ P_n(w),

with v the input ("syn0") and v' the output ("syn1neg") vectors. Skip-gram
(Mikolov et al. 2013a, §3.2) takes the centre word as w_I and each context
word in its window as w_O; CBOW (§3.1) takes the mean of the context words'
input vectors as v_{w_I} and the centre word as w_O.

The losses are the negated sums over a batch of that objective, with the
number of terms beside them: the gradient of the sum with one learning rate
is the released code's per-pair SGD update, applied to the batch at once.
As in the released code, a noise word equal to the positive word is skipped.
Unlike it, σ is exact (the code reads it from a table and clips |x| > 6).

CBOW's gradient: the released code adds the gradient of the mean context
vector, undivided, to every context word's input vector. `context_gradient=
"code"` does the same (the mean's value, the sum's gradient); "mean" is the
exact gradient of the mean (each context gets 1 / c of it).
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp

from memnets.word2vec import sampling

CONTEXT_GRADIENTS = ("code", "mean")


class Embeddings(NamedTuple):
  """The two matrices: input vectors v (the word vectors one keeps) and output vectors v'."""

  input: jax.Array  # [V, D], the released code's syn0
  output: jax.Array  # [V, D], its syn1neg


def init_embeddings(key: jax.Array, vocab_size: int, dim: int) -> Embeddings:
  """The released code's initialisation: input uniform in [−0.5/D, 0.5/D), output zero."""
  shape = (vocab_size, dim)
  vectors = (jax.random.uniform(key, shape, jnp.float32) - 0.5) / dim
  return Embeddings(vectors, jnp.zeros(shape, jnp.float32))


class Rows(NamedTuple):
  """The rows of the two matrices one batch reads; the step updates only these (as the code).

  inputs: input vectors of the centres [B, D] (skip-gram) or of the contexts [B, C, D] (CBOW).
  positives: output vectors of the contexts [B, C, D] (skip-gram) or of the centres [B, D].
  negatives: output vectors of the noise words [B, C, K, D] (skip-gram) or [B, K, D].
  """

  inputs: jax.Array
  positives: jax.Array
  negatives: jax.Array


def row_ids(batch, kind: str) -> Rows:
  """The word ids of `gather`'s rows: (input ids, positive ids, noise ids) of `kind`."""
  if kind == "skipgram":
    return Rows(batch.centres, batch.contexts, batch.negatives)
  if kind == "cbow":
    return Rows(batch.contexts, batch.centres, batch.negatives)
  raise ValueError(f"kind: {kind!r} is not 'skipgram' or 'cbow'")


def gather(params: Embeddings, batch, kind: str) -> Rows:
  """The input and output vectors the batch of `kind` reads."""
  ids = row_ids(batch, kind)
  return Rows(params.input[ids.inputs], params.output[ids.positives], params.output[ids.negatives])


def _negative_sampling_terms(hidden, positive_vectors, noise_vectors, distinct):
  """−(log σ(v'_O · h) + Σ_k log σ(−v'_k · h)) [...]: eq. 4 negated, noise words ≠ w_O only.

  hidden and positive_vectors [..., D], noise_vectors [..., K, D], distinct [..., K].
  """
  positive = jnp.einsum("...d,...d->...", hidden, positive_vectors)
  negative = jnp.einsum("...d,...kd->...k", hidden, noise_vectors)
  noise = jnp.where(distinct, jax.nn.log_sigmoid(-negative), 0.0).sum(-1)
  return -(jax.nn.log_sigmoid(positive) + noise)


def rows_loss(rows: Rows, batch, kind: str, context_gradient: str = "code"):
  """The batch's (summed loss, number of terms) from its gathered rows (`gather`).

  Skip-gram: a term per valid (centre, context) pair, h = v_centre, w_O the
  context. CBOW: a term per centre with a context, h = the mean of its
  context vectors, w_O the centre.
  """
  if kind == "skipgram":
    hidden = jnp.broadcast_to(rows.inputs[:, None, :], rows.positives.shape)
    distinct = batch.negatives != batch.contexts[..., None]
    terms = _negative_sampling_terms(hidden, rows.positives, rows.negatives, distinct)
    return jnp.where(batch.context_mask, terms, 0.0).sum(), batch.context_mask.sum()
  if kind != "cbow":
    raise ValueError(f"kind: {kind!r} is not 'skipgram' or 'cbow'")
  if context_gradient not in CONTEXT_GRADIENTS:
    raise ValueError(f"context_gradient: {context_gradient!r} is not one of {CONTEXT_GRADIENTS}")
  weights = batch.context_mask.astype(rows.inputs.dtype)
  count = weights.sum(-1, keepdims=True)
  total = jnp.einsum("bc,bcd->bd", weights, rows.inputs)
  mean = total / jnp.maximum(count, 1.0)
  hidden = mean if context_gradient == "mean" else total - jax.lax.stop_gradient(total - mean)
  distinct = batch.negatives != batch.centres[:, None]
  terms = _negative_sampling_terms(hidden, rows.positives, rows.negatives, distinct)
  has_context = count[:, 0] > 0
  return jnp.where(has_context, terms, 0.0).sum(), has_context.sum()


def loss(params: Embeddings, batch, kind: str, context_gradient: str = "code"):
  """The batch's (summed loss, number of terms) for `kind` "skipgram" or "cbow"."""
  return rows_loss(gather(params, batch, kind), batch, kind, context_gradient)


def skipgram_loss(
  params: Embeddings, centres, contexts, context_mask, negatives
) -> tuple[jax.Array, jax.Array]:
  """Skip-gram: (Σ over valid (centre, context) pairs of −eq. 4, the number of pairs).

  centres [B], contexts [B, C], context_mask [B, C], negatives [B, C, K].
  """
  return loss(params, sampling.Batch(centres, contexts, context_mask, negatives), "skipgram")


def cbow_loss(
  params: Embeddings, centres, contexts, context_mask, negatives, context_gradient: str = "code"
) -> tuple[jax.Array, jax.Array]:
  """CBOW: (Σ over centres with a context of −eq. 4 for h = mean context vector, their number).

  centres [B], contexts [B, C], context_mask [B, C], negatives [B, K].
  """
  batch = sampling.Batch(centres, contexts, context_mask, negatives)
  return loss(params, batch, "cbow", context_gradient)
