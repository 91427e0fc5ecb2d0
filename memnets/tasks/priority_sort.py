"""The priority sort task (Graves, Wayne, Danihelka 2014, Neural Turing Machines, §4.5).

The network sees random binary vectors, each with a scalar priority drawn
uniformly from [-1, 1] on an extra input channel, and must output the
highest-priority vectors sorted by priority. In the paper there are 20 input
vectors of 8 bits and the target is the 16 highest-priority ones. We output
them in descending priority (highest first), the order of the paper's figure.
The "length" of an example is its number of input vectors L, which must be at
least the number of outputs K.

Inputs have bits + 2 channels (data, priority, delimiter). Layout of one
example with L vectors:

  t in [0, L):          inputs = (x_t, p_t, 0)                       mask = 0
  t = L:                inputs = (0, 0, 1)  (delimiter)              mask = 0
  t in [L+1, L+K]:      targets = the vector of rank t - L - 1,      mask = 1
                        rank 0 being the highest priority
  later steps:          zeros, mask 0, up to T = max_length + 1 + K
"""

import jax
import jax.numpy as jnp

from memnets.tasks import base

DEFAULT_BITS = 8
DEFAULT_NUM_INPUTS = 20
DEFAULT_NUM_OUTPUTS = 16
TRAIN_LENGTHS = (DEFAULT_NUM_INPUTS, DEFAULT_NUM_INPUTS)
TEST_LENGTHS = (16, 20, 24, 32)
PRIORITY_RANGE = (-1.0, 1.0)
BIT_PROBABILITY = 0.5


class PrioritySort(base.Task):
  """Output the highest-priority input vectors in descending priority order."""

  name = "priority_sort"
  loss = "bits"

  def __init__(
    self,
    bits: int = DEFAULT_BITS,
    num_outputs: int = DEFAULT_NUM_OUTPUTS,
    train_lengths: tuple[int, int] = TRAIN_LENGTHS,
    test_lengths: tuple[int, ...] = TEST_LENGTHS,
  ):
    """Initialises.

    Args:
      bits: width of each random vector (8 in the paper).
      num_outputs: number K of highest-priority vectors to output (16 in the paper).
      train_lengths: closed `(min, max)` range of training input counts.
      test_lengths: input counts of the generalisation sweep, each >= num_outputs.
    """
    if bits < 1 or num_outputs < 1:
      raise ValueError(
        f"priority_sort: bits and num_outputs must be >= 1, got {bits}, {num_outputs}"
      )
    self.bits = bits
    self.num_outputs = num_outputs
    self.input_size = bits + 2
    self.output_size = bits
    self.train_lengths = tuple(train_lengths)
    self.test_lengths = tuple(test_lengths)
    for length in (*self.train_lengths, *self.test_lengths):
      self.check_length(length)

  @property
  def min_length(self) -> int:
    return self.num_outputs

  def check_length(self, length: int) -> None:
    if int(length) < self.num_outputs:
      raise ValueError(
        f"priority_sort: length {length} is below num_outputs {self.num_outputs}; "
        "there must be at least as many input vectors as outputs"
      )

  def num_steps(self, max_length: int) -> int:
    return max_length + 1 + self.num_outputs

  def sample_lengths(self, key: jax.Array, lengths: jax.Array, max_length: int) -> base.Batch:
    """See `base.Task.sample_lengths`; `lengths` is the number of input vectors (>= K)."""
    self.check_length(max_length)
    batch_size = lengths.shape[0]
    num_steps = self.num_steps(max_length)
    bits_key, priority_key = jax.random.split(key)
    vectors_BxLxD = jax.random.bernoulli(
      bits_key, BIT_PROBABILITY, (batch_size, max_length, self.bits)
    ).astype(jnp.float32)
    low, high = PRIORITY_RANGE
    priority_BxL = jax.random.uniform(
      priority_key, (batch_size, max_length), minval=low, maxval=high
    )
    len_Bx1 = jnp.asarray(lengths, jnp.int32)[:, None]
    present_BxL = jnp.arange(max_length)[None, :] < len_Bx1
    priority_BxL = jnp.where(present_BxL, priority_BxL, 0.0)
    # Indices of the K highest priorities among the present vectors, highest first.
    ranked_priority_BxL = jnp.where(present_BxL, priority_BxL, -jnp.inf)
    _, top_BxK = jax.lax.top_k(ranked_priority_BxL, self.num_outputs)

    t_1xT = jnp.arange(num_steps)[None, :]
    input_phase_BxT = t_1xT < len_Bx1
    in_src_BxT = jnp.clip(t_1xT, 0, max_length - 1)
    data_in_BxTxD = jnp.take_along_axis(vectors_BxLxD, in_src_BxT[..., None], axis=1)
    data_in_BxTxD = data_in_BxTxD * input_phase_BxT[..., None]
    priority_in_BxT = jnp.take_along_axis(priority_BxL, in_src_BxT, axis=1) * input_phase_BxT
    delimiter_BxT = (t_1xT == len_Bx1).astype(jnp.float32)
    inputs = jnp.concatenate(
      [data_in_BxTxD, priority_in_BxT[..., None], delimiter_BxT[..., None]], axis=-1
    )

    rank_BxT = t_1xT - len_Bx1 - 1
    output_phase_BxT = (rank_BxT >= 0) & (rank_BxT < self.num_outputs)
    source_BxT = jnp.take_along_axis(top_BxK, jnp.clip(rank_BxT, 0, self.num_outputs - 1), axis=1)
    targets = jnp.take_along_axis(vectors_BxLxD, source_BxT[..., None], axis=1)
    targets = targets * output_phase_BxT[..., None]
    return base.Batch(inputs=inputs, targets=targets, mask=output_phase_BxT.astype(jnp.float32))
