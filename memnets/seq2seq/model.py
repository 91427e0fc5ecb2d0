"""An encoder-decoder over vectors, with additive attention or without (Bahdanau et al. 2015).

Encoder: a bidirectional GRU or LSTM over the source [B, S, I] (padded steps
masked, so the backward cell starts at each source's last step), giving
annotations h_j = [→h_j; ←h_j]. Decoder: a GRU whose state starts at
tanh(W_init · mean_j h_j); at step i it reads the previous target vector
y_{i−1} (zeros at i = 0) and a context c_i, the attention's Σ_j α_ij h_j
over s_{i−1} (`attention=True`), or the fixed mean annotation for every i
(`attention=False`, the encoder-decoder without attention of Cho et al.
2014); logits = W_o [s_i; c_i; y_{i−1}]. Training feeds the true previous
targets (teacher forcing); `greedy` feeds the decoder's own outputs, and
`beam_search` keeps the k most probable output sequences (categorical tasks).
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx

from memnets.recurrent import GRU, LSTM, Bidirectional
from memnets.seq2seq import attention as attn

ENCODERS = {"gru": GRU, "lstm": LSTM}
LOSSES = ("categorical", "bits")
NEG_INF = -1e30  # the score of a beam that does not exist yet


class Encoded(NamedTuple):
  annotations: jax.Array  # [B, S, 2H]
  keys: jax.Array  # [B, S, A]: U h_j, projected once
  summary: jax.Array  # [B, 2H]: the mean annotation over unpadded steps
  mask: jax.Array  # [B, S]


class EncoderDecoder(nnx.Module):
  """`model(source, source_mask, target) -> logits [B, U, O]`, teacher forced; see the module doc."""

  def __init__(
    self, input_size: int, output_size: int, *, hidden_size: int = 128, attention_size: int = 128,
    encoder: str = "gru", attention: bool = True, loss: str = "categorical", rngs: nnx.Rngs,
  ):  # fmt: skip
    if encoder not in ENCODERS:
      raise ValueError(f"model.encoder: unknown {encoder!r}; known: {sorted(ENCODERS)}")
    if loss not in LOSSES:
      raise ValueError(f"loss: {loss!r} is not one of {LOSSES}")
    make = ENCODERS[encoder]
    self.encoder = Bidirectional(
      make(input_size, hidden_size, rngs=rngs), make(input_size, hidden_size, rngs=rngs)
    )
    width = 2 * hidden_size
    self.output_size, self.attention, self.loss = output_size, attention, loss
    self.init_state = nnx.Linear(width, hidden_size, rngs=rngs)
    self.decoder = nnx.GRUCell(output_size + width, hidden_size, rngs=rngs)
    self.query = nnx.Linear(hidden_size, attention_size, use_bias=False, rngs=rngs)
    self.key = nnx.Linear(width, attention_size, rngs=rngs)
    self.v = nnx.Param(nnx.initializers.normal(0.1)(rngs.params(), (attention_size,)))
    self.out = nnx.Linear(hidden_size + width + output_size, output_size, rngs=rngs)

  def encode(self, source_BxSxI: jax.Array, mask_BxS: jax.Array) -> Encoded:
    mask = mask_BxS.astype(jnp.float32)
    annotations = self.encoder(source_BxSxI, mask) * mask[..., None]
    summary = annotations.sum(1) / jnp.maximum(mask.sum(1, keepdims=True), 1.0)
    return Encoded(annotations, self.key(annotations), summary, mask)

  def _step(self, encoded: Encoded, state_BxH, previous_BxO):
    """(state, logits [B, O], attention weights [B, S]) of one decoder step."""
    if self.attention:
      context, weights = attn.attend(
        self.query(state_BxH), encoded.keys, encoded.annotations, self.v[...], encoded.mask
      )
    else:
      context, weights = encoded.summary, jnp.zeros_like(encoded.mask)
    state_BxH, _ = self.decoder(state_BxH, jnp.concatenate([previous_BxO, context], -1))
    logits = self.out(jnp.concatenate([state_BxH, context, previous_BxO], -1))
    return state_BxH, logits, weights

  def _start(self, encoded: Encoded) -> jax.Array:
    return jnp.tanh(self.init_state(encoded.summary))

  def __call__(self, source, source_mask, target_BxUxO) -> jax.Array:
    """Teacher-forced logits [B, U, O]: step i reads the true target i − 1."""
    encoded = self.encode(source, source_mask)
    previous = jnp.concatenate([jnp.zeros_like(target_BxUxO[:, :1]), target_BxUxO[:, :-1]], 1)

    def body(state, previous_BxO):
      state, logits, _ = self._step(encoded, state, previous_BxO)
      return state, logits

    _, logits_UxBxO = jax.lax.scan(body, self._start(encoded), previous.swapaxes(0, 1))
    return logits_UxBxO.swapaxes(0, 1)

  def _feedback(self, logits_BxO: jax.Array) -> jax.Array:
    if self.loss == "bits":
      return (logits_BxO > 0).astype(jnp.float32)
    return jax.nn.one_hot(jnp.argmax(logits_BxO, -1), self.output_size)

  def greedy(self, source, source_mask, steps: int) -> tuple[jax.Array, jax.Array]:
    """(logits [B, U, O], attention [B, U, S]) feeding back the decoder's own most likely outputs."""
    encoded = self.encode(source, source_mask)
    batch = source.shape[0]

    def body(carry, _):
      state, previous = carry
      state, logits, weights = self._step(encoded, state, previous)
      return (state, self._feedback(logits)), (logits, weights)

    start = (self._start(encoded), jnp.zeros((batch, self.output_size)))
    _, (logits, weights) = jax.lax.scan(body, start, None, length=steps)
    return logits.swapaxes(0, 1), weights.swapaxes(0, 1)

  def beam_search(self, source, source_mask, target_mask_BxU, width: int) -> jax.Array:
    """The most probable output ids [B, U] of `width` beams (categorical outputs).

    A step whose target mask is 0 (past the output's end) adds nothing to a
    beam's score and writes id 0, so sequences of every length compare on
    their own steps. Width 1 is greedy decoding.
    """
    if self.loss != "categorical":
      raise ValueError("beam search needs categorical outputs")
    encoded = self.encode(source, source_mask)
    batch, steps = target_mask_BxU.shape
    k, o = width, self.output_size
    tile = lambda a: jnp.repeat(a, k, axis=0)  # noqa: E731  [B, ...] -> [B*K, ...]
    beams = Encoded(*(tile(a) for a in encoded))
    scores = jnp.tile(jnp.where(jnp.arange(k) == 0, 0.0, NEG_INF), (batch, 1))  # [B, K]

    def body(carry, inputs):
      state, previous, scores, history = carry
      t, step_mask = inputs
      state, logits, _ = self._step(beams, state, previous)
      log_probs = jax.nn.log_softmax(logits).reshape(batch, k, o)
      keep = jnp.where(jnp.arange(o) == 0, 0.0, NEG_INF)  # past the end: id 0, no cost
      step = jnp.where(step_mask[:, None, None] > 0, log_probs, keep)
      total = (scores[..., None] + step).reshape(batch, k * o)
      scores, chosen = jax.lax.top_k(total, k)
      parent, token = chosen // o, chosen % o
      rows = (jnp.arange(batch)[:, None] * k + parent).reshape(-1)
      history = jnp.take_along_axis(history, parent[..., None], axis=1).at[:, :, t].set(token)
      return (state[rows], jax.nn.one_hot(token.reshape(-1), o), scores, history), None

    start = (self._start(beams), jnp.zeros((batch * k, o)), scores,  # step 0 reads zeros
             jnp.zeros((batch, k, steps), jnp.int32))  # fmt: skip
    (_, _, scores, history), _ = jax.lax.scan(
      body, start, (jnp.arange(steps), target_mask_BxU.swapaxes(0, 1))
    )
    best = jnp.argmax(scores, axis=1)
    return jnp.take_along_axis(history, best[:, None, None], axis=1)[:, 0]
