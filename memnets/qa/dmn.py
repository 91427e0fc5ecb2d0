"""The dynamic memory network DMN+ (Xiong et al. 2016, §3; on Kumar et al. 2016).

Input module (§3.1): each sentence's words are embedded and summed under
the position encoding (`memn2n.position_encoding`), and the input fusion
layer, a bidirectional GRU over the sentences, gives the facts
f_i = →h_i + ←h_i. Question module: a GRU over the question's word
embeddings; q is its last state. Episodic memory (§3.2–3.3), T passes from
m⁰ = q:

  z_i = [f_i ∘ q ; f_i ∘ m ; |f_i − q| ; |f_i − m|]
  g_i = softmax_i(W² tanh(W¹ z_i + b¹) + b²)                  attention over the facts
  r_i = σ(W_r f_i + U_r h_{i−1} + b_r)
  h̃_i = tanh(W f_i + r_i ∘ (U h_{i−1}) + b)
  h_i = g_i h̃_i + (1 − g_i) h_{i−1}                          the attention-based GRU
  c = h_n                                                      the episode
  m ← ReLU(W^t [m ; c ; q] + b^t)                              untied per pass

and the answer a = W^a [m ; q] (one word, as for bAbI). Padded words and
sentences (id 0, rows at or beyond a story's length) are masked out: a
padded sentence gets no attention and leaves the attention GRU's state
unchanged. Dropout (the paper's, on the answer module's input) is left out:
memnets' models are deterministic functions of their inputs.
"""

import jax
import jax.numpy as jnp
from flax import nnx

from memnets.qa.memn2n import position_encoding


def attention_gates(facts_BxSxD, question_BxD, memory_BxD, mask_BxS, hidden_layer, score_layer):
  """g [B, S]: the softmax over real facts of W² tanh(W¹ z_i + b¹) + b² (§3.3)."""
  q, m = question_BxD[:, None], memory_BxD[:, None]
  z = jnp.concatenate(
    [facts_BxSxD * q, facts_BxSxD * m, jnp.abs(facts_BxSxD - q), jnp.abs(facts_BxSxD - m)], -1
  )
  scores_BxS = score_layer(jnp.tanh(hidden_layer(z)))[..., 0]
  scores_BxS = jnp.where(mask_BxS, scores_BxS, jnp.finfo(scores_BxS.dtype).min)
  return jax.nn.softmax(scores_BxS, axis=-1) * mask_BxS


def attention_gru_step(h_BxD, fact_BxD, gate_B, reset, candidate_input, candidate_hidden):
  """h_i = g_i h̃_i + (1 − g_i) h_{i−1}, the GRU whose update gate is the attention g_i (§3.3).

  `reset(x, h)` = W_r x + U_r h + b_r; `candidate_input(x)` = W x + b;
  `candidate_hidden(h)` = U h.
  """
  r = jax.nn.sigmoid(reset(jnp.concatenate([fact_BxD, h_BxD], -1)))
  candidate = jnp.tanh(candidate_input(fact_BxD) + r * candidate_hidden(h_BxD))
  g = gate_B[:, None]
  return g * candidate + (1 - g) * h_BxD


class DMNPlus(nnx.Module):
  """DMN+ over a vocabulary of `vocab_size` words (id 0: padding), answering one word.

  Args:
    vocab_size: V.
    dim: the embedding and hidden size (the paper's bAbI-10k runs: 80).
    passes: T, the episodic memory's passes (the paper: 3).
    rngs: parameter initialisation.
  """

  def __init__(self, vocab_size: int, *, dim: int = 80, passes: int = 3, rngs: nnx.Rngs):
    for name, value in [("vocab_size", vocab_size), ("dim", dim), ("passes", passes)]:
      if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    self.vocab_size, self.dim, self.passes = vocab_size, dim, passes
    self.embedding = nnx.Embed(vocab_size, dim, rngs=rngs)
    self.forward_gru = nnx.GRUCell(dim, dim, rngs=rngs)
    self.backward_gru = nnx.GRUCell(dim, dim, rngs=rngs)
    self.question_gru = nnx.GRUCell(dim, dim, rngs=rngs)
    self.gate_hidden = nnx.Linear(4 * dim, dim, rngs=rngs)
    self.gate_score = nnx.Linear(dim, 1, rngs=rngs)
    self.reset = nnx.Linear(2 * dim, dim, rngs=rngs)
    self.candidate_input = nnx.Linear(dim, dim, rngs=rngs)
    self.candidate_hidden = nnx.Linear(dim, dim, use_bias=False, rngs=rngs)
    self.memory_updates = nnx.List([nnx.Linear(3 * dim, dim, rngs=rngs) for _ in range(passes)])
    self.answer = nnx.Linear(2 * dim, vocab_size, rngs=rngs)

  def _words(self, ids: jax.Array) -> jax.Array:
    return self.embedding(ids) * (ids != 0)[..., None]

  def _gru(self, cell, xs_BxTxD, mask_BxT, reverse=False) -> jax.Array:
    """States [B, T, D] of `cell` over xs (one `lax.scan`); masked steps keep the previous state."""

    def step(h, x_and_mask):
      x, keep = x_and_mask
      new, _ = cell(h, x)
      h = jnp.where(keep[:, None], new, h)
      return h, h

    h0 = jnp.zeros((xs_BxTxD.shape[0], self.dim), xs_BxTxD.dtype)
    scanned = (jnp.swapaxes(xs_BxTxD, 0, 1), jnp.swapaxes(mask_BxT, 0, 1))
    _, states = jax.lax.scan(step, h0, scanned, reverse=reverse)
    return jnp.swapaxes(states, 0, 1)

  def _episode(self, facts_BxSxD, gates_BxS) -> jax.Array:
    """c = the attention GRU's last state over the facts (one `lax.scan`)."""

    def step(h, fact_and_gate):
      fact, gate = fact_and_gate
      h = attention_gru_step(h, fact, gate, self.reset, self.candidate_input, self.candidate_hidden)
      return h, None

    h0 = jnp.zeros((facts_BxSxD.shape[0], self.dim), facts_BxSxD.dtype)
    scanned = (jnp.swapaxes(facts_BxSxD, 0, 1), jnp.swapaxes(gates_BxS, 0, 1))
    return jax.lax.scan(step, h0, scanned)[0]

  def facts(self, stories_BxSxW, story_lengths_B):
    """(facts [B, S, D], mask [B, S]): PE sentence encodings through the bidirectional GRU."""
    lengths = jnp.sum(stories_BxSxW != 0, axis=-1)
    weights = position_encoding(lengths, stories_BxSxW.shape[-1], self.dim)
    sentences = jnp.sum(self._words(stories_BxSxW) * weights, axis=-2)
    mask = jnp.arange(stories_BxSxW.shape[1])[None] < story_lengths_B[:, None]
    forward = self._gru(self.forward_gru, sentences, mask)
    backward = self._gru(self.backward_gru, sentences, mask, reverse=True)
    return (forward + backward) * mask[..., None], mask

  def attend(self, stories_BxSxW, questions_BxQ, story_lengths_B):
    """(answer logits [B, V], attention gates [B, T, S] of every pass)."""
    facts, mask = self.facts(stories_BxSxW, story_lengths_B)
    question = self._gru(self.question_gru, self._words(questions_BxQ), questions_BxQ != 0)[:, -1]
    memory, gates = question, []
    for update in self.memory_updates:
      g = attention_gates(facts, question, memory, mask, self.gate_hidden, self.gate_score)
      episode = self._episode(facts, g)
      memory = jax.nn.relu(update(jnp.concatenate([memory, episode, question], -1)))
      gates.append(g)
    return self.answer(jnp.concatenate([memory, question], -1)), jnp.stack(gates, axis=1)

  def __call__(self, stories_BxSxW, questions_BxQ, story_lengths_B) -> jax.Array:
    """Answer logits [B, V] (`attend`'s first result)."""
    return self.attend(stories_BxSxW, questions_BxQ, story_lengths_B)[0]
