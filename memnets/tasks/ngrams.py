"""The dynamic N-grams task (Graves, Wayne, Danihelka 2014, Neural Turing Machines, §4.4).

Each sequence has its own 6-gram distribution over binary sequences: a lookup
table of 2^5 = 32 numbers, P(next bit = 1 | previous 5 bits), each drawn
independently from Beta(1/2, 1/2). The network must predict each next bit, and
so must learn the table from the sequence it is reading. In the paper the
sequences are 200 bits long. The "length" of an example is its number of bits N.

Bits b_0 .. b_{N-1}: the first 5 (which have no full context) are fair coin
flips; b_t for t >= 5 is 1 with the table's probability for the context
c_t = sum_j b_{t-5+j} 2^(4-j) (the previous 5 bits read as a binary number,
oldest bit most significant). There are T = max_length - 1 steps: at step t the
input is b_t and the target is b_{t+1}. Only targets with a full context are
scored, so the mask is 1 at steps t in [4, N-2] (targets b_5 .. b_{N-1}, N - 5
of them); the first 4 steps predict fair coin flips and have mask 0.

The Bayes-optimal predictor for a Beta(1/2, 1/2) prior on every table entry is
(paper, eq. 18)

  P(b_t = 1 | c_t, b_{<t}) = (N1 + 1/2) / (N1 + N0 + 1),

where N1 and N0 count the ones and zeros that followed context c_t earlier in
the same sequence. `optimal_probabilities` computes it and `optimal_cost_bits`
the cost it pays on a batch, the floor a model's cost (in bits, on the same
mask) is compared with; `expected_optimal_cost_bits` estimates its mean: about
128.5 bits per 200-bit sequence (over its 195 scored bits; Monte-Carlo over
8000 sequences), against 195 bits for always predicting 1/2.
"""

import functools

import jax
import jax.numpy as jnp

from memnets.tasks import base

NGRAM_ORDER = 6
CONTEXT_BITS = NGRAM_ORDER - 1
NUM_CONTEXTS = 2**CONTEXT_BITS
BETA_PRIOR = 0.5
DEFAULT_LENGTH = 200
TRAIN_LENGTHS = (DEFAULT_LENGTH, DEFAULT_LENGTH)
TEST_LENGTHS = (DEFAULT_LENGTH,)
MIN_LENGTH = CONTEXT_BITS + 1
FAIR_COIN = 0.5
# Keeps log2 of the optimal probabilities finite.
PROBABILITY_FLOOR = 1e-7


def arcsine(key: jax.Array, shape: tuple[int, ...]) -> jax.Array:
  """Samples of Beta(1/2, 1/2), the arcsine law, by inverting its CDF.

  The CDF is F(x) = (2 / pi) arcsin(sqrt(x)), so sin^2(pi U / 2) with U uniform
  on [0, 1) is exactly Beta(1/2, 1/2) distributed; cheaper to compile than the
  rejection sampler of `jax.random.beta`.
  """
  return jnp.sin(0.5 * jnp.pi * jax.random.uniform(key, shape)) ** 2


def contexts(bits: jax.Array) -> jax.Array:
  """The 5-bit context c_t of every position t >= 5 (0 for t < 5).

  Args:
    bits: [B, N] array of 0/1 values.

  Returns:
    [B, N] int32 array, c_t = sum_j b_{t-5+j} 2^(4-j).
  """
  bits = jnp.asarray(bits, jnp.int32)
  num_bits = bits.shape[1]
  context = jnp.zeros_like(bits)
  for j in range(CONTEXT_BITS):
    lag = CONTEXT_BITS - j
    shifted = jnp.pad(bits, ((0, 0), (lag, 0)))[:, :num_bits]
    context = context + shifted * 2 ** (CONTEXT_BITS - 1 - j)
  has_context = jnp.arange(num_bits)[None, :] >= CONTEXT_BITS
  return jnp.where(has_context, context, 0)


def optimal_probabilities(bits: jax.Array) -> jax.Array:
  """Bayes-optimal P(b_t = 1 | b_{<t}) for every position (paper eq. 18).

  Args:
    bits: [B, N] array of 0/1 values.

  Returns:
    [B, N] float32; (N1 + 1/2) / (N1 + N0 + 1) with counts over earlier
    positions s in [5, t) whose context equals c_t; 1/2 for t < 5.
  """
  bits = jnp.asarray(bits, jnp.float32)
  num_bits = bits.shape[1]
  has_context_1xN = (jnp.arange(num_bits) >= CONTEXT_BITS)[None, :]
  onehot_BxNxC = jax.nn.one_hot(contexts(bits), NUM_CONTEXTS) * has_context_1xN[..., None]
  ones_BxNxC = onehot_BxNxC * bits[..., None]
  # Exclusive cumulative counts: what followed each context strictly before t.
  seen_BxNxC = jnp.cumsum(onehot_BxNxC, axis=1) - onehot_BxNxC
  ones_seen_BxNxC = jnp.cumsum(ones_BxNxC, axis=1) - ones_BxNxC
  total_BxN = jnp.sum(seen_BxNxC * onehot_BxNxC, axis=-1)
  ones_BxN = jnp.sum(ones_seen_BxNxC * onehot_BxNxC, axis=-1)
  prob_BxN = (ones_BxN + BETA_PRIOR) / (total_BxN + 2 * BETA_PRIOR)
  return jnp.where(has_context_1xN, prob_BxN, FAIR_COIN)


def sequence_bits(batch: base.Batch) -> jax.Array:
  """The bit sequences b_0 .. b_T of a batch: [B, T + 1]."""
  return jnp.concatenate([batch.inputs[:, :1, 0], batch.targets[..., 0]], axis=1)


def optimal_cost_bits(batch: base.Batch) -> jax.Array:
  """Cost in bits of the optimal predictor on the scored steps of a batch.

  Args:
    batch: a batch of `NGrams`.

  Returns:
    [B] float32, -sum over scored steps of log2 P_opt(target).
  """
  prob_BxT = optimal_probabilities(sequence_bits(batch))[:, 1:]
  prob_BxT = jnp.clip(prob_BxT, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)
  target_BxT = batch.targets[..., 0]
  log_likelihood = target_BxT * jnp.log2(prob_BxT) + (1 - target_BxT) * jnp.log2(1 - prob_BxT)
  return -jnp.sum(log_likelihood * batch.mask, axis=1)


class NGrams(base.Task):
  """Predict the next bit of a sequence drawn from a random 6-gram model."""

  name = "ngrams"
  loss = "bits"
  input_size = 1
  output_size = 1

  def __init__(
    self,
    train_lengths: tuple[int, int] = TRAIN_LENGTHS,
    test_lengths: tuple[int, ...] = TEST_LENGTHS,
  ):
    """Initialises.

    Args:
      train_lengths: closed `(min, max)` range of training sequence lengths (bits).
      test_lengths: sequence lengths of the evaluation sweep.
    """
    self.train_lengths = tuple(train_lengths)
    self.test_lengths = tuple(test_lengths)

  @property
  def min_length(self) -> int:
    return MIN_LENGTH

  def num_steps(self, max_length: int) -> int:
    return max_length - 1

  def sample_lengths(self, key: jax.Array, lengths: jax.Array, max_length: int) -> base.Batch:
    """See `base.Task.sample_lengths`; `lengths` is the number of bits (>= 6)."""
    self.check_length(max_length)
    batch_size = lengths.shape[0]
    table_key, start_key, bits_key = jax.random.split(key, 3)
    table_BxC = arcsine(table_key, (batch_size, NUM_CONTEXTS))
    start_BxS = jax.random.bernoulli(start_key, FAIR_COIN, (batch_size, CONTEXT_BITS))
    uniforms_NxB = jax.random.uniform(bits_key, (max_length - CONTEXT_BITS, batch_size))
    weights_S = 2 ** jnp.arange(CONTEXT_BITS - 1, -1, -1)

    def step(window_BxS, uniform_B):
      context_B = jnp.sum(window_BxS * weights_S, axis=1)
      prob_B = jnp.take_along_axis(table_BxC, context_B[:, None], axis=1)[:, 0]
      bit_B = (uniform_B < prob_B).astype(jnp.int32)
      return jnp.concatenate([window_BxS[:, 1:], bit_B[:, None]], axis=1), bit_B

    _, rest_NxB = jax.lax.scan(step, start_BxS.astype(jnp.int32), uniforms_NxB)
    bits_BxN = jnp.concatenate([start_BxS.astype(jnp.int32), rest_NxB.T], axis=1)
    bits_BxN = bits_BxN.astype(jnp.float32)

    t_1xT = jnp.arange(self.num_steps(max_length))[None, :]
    len_Bx1 = jnp.asarray(lengths, jnp.int32)[:, None]
    in_sequence_BxT = t_1xT < len_Bx1 - 1
    inputs = (bits_BxN[:, :-1] * in_sequence_BxT)[..., None]
    targets = (bits_BxN[:, 1:] * in_sequence_BxT)[..., None]
    mask = (in_sequence_BxT & (t_1xT >= CONTEXT_BITS - 1)).astype(jnp.float32)
    return base.Batch(inputs=inputs, targets=targets, mask=mask)


def expected_optimal_cost_bits(
  key: jax.Array, num_sequences: int = 1000, length: int = DEFAULT_LENGTH
) -> jax.Array:
  """Monte-Carlo estimate of the optimal predictor's mean cost per sequence.

  Args:
    key: PRNG key.
    num_sequences: number of sampled sequences to average over.
    length: bits per sequence (the cost covers its `length - 5` scored bits).

  Returns:
    Scalar float32, mean bits per sequence.
  """
  return _expected_optimal_cost_bits(key, num_sequences, length)


@functools.partial(jax.jit, static_argnums=(1, 2))
def _expected_optimal_cost_bits(key: jax.Array, num_sequences: int, length: int) -> jax.Array:
  batch = NGrams().sample(key, num_sequences, length)
  return jnp.mean(optimal_cost_bits(batch))
