"""End-to-end memory networks (MemN2N; Sukhbaatar et al. 2015, §2 and §4).

A story's sentences x_1 … x_n (word ids, the most recent `max_sentences`)
become memories; a question q becomes the controller state u¹; each of K
hops k = 1 … K reads the memory:

  m_i = Σ_j l_j ⊙ A^k x_ij + T_A^k(i)      input memories (§4.1)
  c_i = Σ_j l_j ⊙ C^k x_ij + T_C^k(i)      output memories
  p_i = softmax_i(u^k · m_i)               attention (none at a linear start, §4.2)
  o^k = Σ_i p_i c_i
  u^{k+1} = u^k + o^k    (adjacent)        or H u^k + o^k (layer-wise)
  â = softmax(W u^{K+1})                   u¹ = Σ_j l_j ⊙ B q_j

with l_j the position encoding (`position_encoding`, PE, times
`position_scale`) or all ones (bag of words, BoW), and T(i) a learned vector
per recency i (0: the most recent sentence; temporal encoding). Weight
tying (§2.2): adjacent, A^{k+1} = C^k, B = A¹ and W = (C^K)ᵀ (the temporal
tables tied alike); layer-wise, one A and one C for every hop, B and W their
own, and the linear H.

Word id 0 is padding (the nil word): its embeddings are zero at
initialisation and masked out of every lookup, so they stay zero. Padded
sentences (rows at or beyond a story's length) are masked out of the
attention; a story with no sentences reads o = 0.

Two details of the authors' code that the paper's text does not print, both
on by default because the yes/no tasks need them (docs/results.md): its PE
weights, 1 + 4(k − (d+1)/2)(j − (J+1)/2)/(dJ), are twice the printed l_kj
up to O(1/J + 1/d) terms (`position_scale=2`); and its memory has
`max_sentences` slots, the unused ones holding the nil sentence, so they
score 0 and take their share of the softmax while reading nothing
(`empty_slots=True`: p_i = exp(s_i) / (Σ_j exp(s_j) + max_sentences − n)).
Both depend on the story only, not on how far its arrays are padded.

Random noise (RN, §4.2) is `random_empty_memories`: the training stories get
about 10% empty memories inserted, which moves the older sentences' recency.
"""

import jax
import jax.numpy as jnp
from flax import nnx

TYINGS = ("adjacent", "layerwise")
ENCODINGS = ("position", "bag_of_words")
INIT_STD = 0.1  # §4.2: weights drawn from N(0, 0.1)
EMPTY_FRACTION = 0.1  # §4.2: 10% empty memories added (RN)


def position_encoding(sentence_lengths: jax.Array, width: int, dim: int) -> jax.Array:
  """[..., width, dim] weights l_kj = (1 − j/J) − (k/d)(1 − 2j/J), j, k from 1 (§4.1).

  J is each sentence's number of words (`sentence_lengths`, any shape);
  positions j > J (padding) get weight 0. An empty sentence (J = 0) gets 0.
  """
  lengths = jnp.asarray(sentence_lengths, jnp.float32)[..., None, None]  # [..., 1, 1]
  j = jnp.arange(1, width + 1, dtype=jnp.float32)[:, None]  # [W, 1]
  k = jnp.arange(1, dim + 1, dtype=jnp.float32)[None, :]  # [1, d]
  safe = jnp.maximum(lengths, 1.0)
  weights = (1 - j / safe) - (k / dim) * (1 - 2 * j / safe)
  return jnp.where(j <= lengths, weights, 0.0)


def recency(story_lengths_B: jax.Array, num_sentences: int) -> tuple[jax.Array, jax.Array]:
  """(recency [B, S], mask [B, S]) of the memory rows: the temporal encoding's index.

  Rows count back from each story's last sentence (0: the most recent);
  padding rows get 0 and False in the mask.
  """
  rows = jnp.arange(num_sentences)[None, :]
  mask_BxS = rows < story_lengths_B[:, None]
  return jnp.where(mask_BxS, story_lengths_B[:, None] - 1 - rows, 0), mask_BxS


def random_empty_memories(
  key: jax.Array, recency_BxS: jax.Array, mask_BxS: jax.Array, fraction: float = EMPTY_FRACTION
) -> jax.Array:
  """The recency of each memory once empty memories are inserted among a story's sentences (RN).

  Before each real sentence an empty memory is inserted with probability
  `fraction`; a sentence's recency grows by the empty memories inserted at
  or after it (newer), so the order is kept and gaps appear. Padding rows
  keep recency 0.
  """
  gaps = jax.random.bernoulli(key, fraction, recency_BxS.shape) & mask_BxS
  newer = jnp.flip(jnp.cumsum(jnp.flip(gaps, -1), -1), -1)  # gaps at or after each row
  return jnp.where(mask_BxS, recency_BxS + newer, 0).astype(recency_BxS.dtype)


class MemN2N(nnx.Module):
  """An end-to-end memory network over a vocabulary of `vocab_size` words (id 0: padding).

  Args:
    vocab_size: V, the words of stories, questions and answers.
    dim: d, the embedding size (the paper's bAbI runs: 20).
    hops: K (the paper: 3).
    max_sentences: the memory's sentences (the paper: the last 50); the
      temporal tables have 2 × this many recencies, room for RN's gaps
      (larger recencies use the last).
    tying: "adjacent" or "layerwise" (§2.2).
    encoding: "position" (PE) or "bag_of_words" (BoW) sentence embeddings.
    temporal: add the temporal encoding T(i).
    position_scale: the PE weights' factor (2: the authors' code; 1: l_kj as printed).
    empty_slots: the softmax spans the memory's unused slots too (the authors' code).
    rngs: parameter initialisation.
  """

  def __init__(
    self,
    vocab_size: int,
    *,
    dim: int = 20,
    hops: int = 3,
    max_sentences: int = 50,
    tying: str = "adjacent",
    encoding: str = "position",
    temporal: bool = True,
    position_scale: float = 2.0,
    empty_slots: bool = True,
    rngs: nnx.Rngs,
  ):
    if tying not in TYINGS:
      raise ValueError(f"tying: unknown {tying!r}; known: {TYINGS}")
    if encoding not in ENCODINGS:
      raise ValueError(f"encoding: unknown {encoding!r}; known: {ENCODINGS}")
    for name, value in [("vocab_size", vocab_size), ("dim", dim), ("hops", hops),
                        ("max_sentences", max_sentences)]:  # fmt: skip
      if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    self.vocab_size, self.dim, self.hops = vocab_size, dim, hops
    self.tying, self.encoding, self.temporal = tying, encoding, temporal
    self.position_scale, self.empty_slots = position_scale, empty_slots
    self.max_sentences = max_sentences
    self.recencies = 2 * max_sentences
    init = nnx.initializers.normal(INIT_STD)
    # adjacent: E_0 … E_K (A^k = E_{k−1}, C^k = E_k, B = E_0, W = E_Kᵀ);
    # layerwise: A, C, B, W.
    count = hops + 1 if tying == "adjacent" else 4
    keys = jax.random.split(rngs.params(), 2 * count)
    nil = (jnp.arange(vocab_size) != 0)[:, None]
    self.words = nnx.List([nnx.Param(init(keys[i], (vocab_size, dim)) * nil) for i in range(count)])
    memories = count if tying == "adjacent" else 2  # the tables memories are read through
    self.times = nnx.List(
      [nnx.Param(init(keys[count + i], (self.recencies, dim))) for i in range(memories)]
    )
    if tying == "layerwise":
      self.h = nnx.Linear(dim, dim, use_bias=False, kernel_init=init, rngs=rngs)

  def _tables(self, hop: int) -> tuple[int, int]:
    """The (A, C) table indices of `hop` (0-based)."""
    return (hop, hop + 1) if self.tying == "adjacent" else (0, 1)

  def _table(self, table: int) -> jax.Array:
    """[V, d] word embeddings of `table` with the nil word's row at zero."""
    return self.words[table][...] * (jnp.arange(self.vocab_size) != 0)[:, None]

  def _embed(self, table: int, ids: jax.Array) -> jax.Array:
    """[..., W] word ids -> [..., d]: the encoding-weighted sum of their embeddings."""
    vectors = self._table(table)[ids]  # [..., W, d]; padding ids give zeros
    if self.encoding == "position":
      lengths = jnp.sum(ids != 0, axis=-1)
      weights = position_encoding(lengths, ids.shape[-1], self.dim)
      vectors = vectors * (self.position_scale * weights)
    return jnp.sum(vectors, axis=-2)

  def _memory(self, table: int, stories_BxSxW, recency_BxS) -> jax.Array:
    memory = self._embed(table, stories_BxSxW)
    if self.temporal:
      memory = memory + self.times[table][...][jnp.clip(recency_BxS, 0, self.recencies - 1)]
    return memory

  def attend(
    self,
    stories_BxSxW: jax.Array,
    questions_BxQ: jax.Array,
    story_lengths_B: jax.Array,
    *,
    softmax: bool = True,
    recency_BxS: jax.Array | None = None,
  ) -> tuple[jax.Array, jax.Array]:
    """(answer logits [B, V], attention [B, K, S] of every hop).

    `softmax=False`: the linear start (§4.2), p_i = u · m_i without the
    softmax. `recency_BxS`: each memory's recency (default: counted back from
    the story's last sentence, 0 the most recent; RN passes its own).
    """
    default_BxS, mask_BxS = recency(story_lengths_B, stories_BxSxW.shape[1])
    if recency_BxS is None:
      recency_BxS = default_BxS
    question_table = 0 if self.tying == "adjacent" else 2
    u_BxD = self._embed(question_table, questions_BxQ)
    attention = []
    for hop in range(self.hops):
      a, c = self._tables(hop)
      m_BxSxD = self._memory(a, stories_BxSxW, recency_BxS)
      c_BxSxD = self._memory(c, stories_BxSxW, recency_BxS)
      scores_BxS = jnp.einsum("bd,bsd->bs", u_BxD, m_BxSxD)
      if softmax:
        p_BxS = self._softmax(scores_BxS, mask_BxS, story_lengths_B)
      else:
        p_BxS = scores_BxS * mask_BxS
      o_BxD = jnp.einsum("bs,bsd->bd", p_BxS, c_BxSxD)
      u_BxD = (u_BxD if self.tying == "adjacent" else self.h(u_BxD)) + o_BxD
      attention.append(p_BxS)
    answer_table = self.hops if self.tying == "adjacent" else 3
    logits_BxV = u_BxD @ self._table(answer_table).T
    return logits_BxV, jnp.stack(attention, axis=1)

  def _softmax(self, scores_BxS, mask_BxS, story_lengths_B) -> jax.Array:
    """[B, S] attention over the story's sentences (and the empty slots' share, if on)."""
    if not self.empty_slots:
      scores_BxS = jnp.where(mask_BxS, scores_BxS, jnp.finfo(scores_BxS.dtype).min)
      return jax.nn.softmax(scores_BxS, axis=-1) * mask_BxS
    empty_B = jnp.maximum(self.max_sentences - story_lengths_B, 0).astype(scores_BxS.dtype)
    masked = jnp.where(mask_BxS, scores_BxS, -jnp.inf)
    top_B = jax.lax.stop_gradient(jnp.maximum(jnp.max(masked, axis=-1), 0.0))  # the empty score 0
    exp_BxS = jnp.exp(jnp.where(mask_BxS, scores_BxS - top_B[:, None], -jnp.inf))
    return exp_BxS / (jnp.sum(exp_BxS, axis=-1) + empty_B * jnp.exp(-top_B))[:, None]

  def __call__(self, stories_BxSxW, questions_BxQ, story_lengths_B, **kwargs) -> jax.Array:
    """Answer logits [B, V] (`attend`'s first result)."""
    return self.attend(stories_BxSxW, questions_BxQ, story_lengths_B, **kwargs)[0]
