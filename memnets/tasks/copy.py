"""The copy task (Graves, Wayne, Danihelka 2014, Neural Turing Machines, §4.1).

The network sees a sequence of random binary vectors followed by a delimiter
flag and must then reproduce the whole sequence with no further input. In the
paper each vector has 8 bits, each bit Bernoulli(1/2), and training sequence
lengths are drawn uniformly from 1 to 20; generalisation is tested on lengths
up to 120.

Layout of one example of length L (time runs down, I = bits + 1 channels):

  t in [0, L):      inputs = (x_t, 0)    targets = 0       mask = 0
  t = L:            inputs = (0, 1)      targets = 0       mask = 0   (delimiter)
  t in [L+1, 2L]:   inputs = 0           targets = x_{t-L-1}  mask = 1
  t in (2L, T):     zeros, mask 0 (padding up to T = 2 * max_length + 1)

`zero_vector_rate` > 0 makes each TRAINING vector all zero with that
probability (`sample_train_lengths`; evaluation batches keep the paper's
distribution, where 1/2^bits of the vectors are all zero). A model that takes
"the input is all zero" for the output phase, a shortcut that the rare zero
vectors of the paper's distribution seldom punish, then sees it fail often
enough to learn the phase from the delimiter (docs/ntm_copy_collapse.md).
"""

import jax
import jax.numpy as jnp

from memnets.tasks import base

DEFAULT_BITS = 8
TRAIN_LENGTHS = (1, 20)
TEST_LENGTHS = (10, 20, 30, 50, 80, 120)
BIT_PROBABILITY = 0.5
ZERO_VECTOR_TAG = 1  # fold_in tag of the key that picks the zeroed training vectors


class Copy(base.Task):
  """Copy a sequence of random binary vectors after a delimiter."""

  name = "copy"
  loss = "bits"

  def __init__(
    self,
    bits: int = DEFAULT_BITS,
    train_lengths: tuple[int, int] = TRAIN_LENGTHS,
    test_lengths: tuple[int, ...] = TEST_LENGTHS,
    zero_vector_rate: float = 0.0,
  ):
    """Initialises.

    Args:
      bits: width of each random vector (8 in the paper).
      train_lengths: closed `(min, max)` range of training lengths.
      test_lengths: lengths of the generalisation sweep.
      zero_vector_rate: probability in [0, 1) that a training vector is all
        zero (on top of the random bits' own 1/2^bits); 0: the paper's.
    """
    if bits < 1:
      raise ValueError(f"copy: bits must be >= 1, got {bits}")
    if not 0.0 <= zero_vector_rate < 1.0:
      raise ValueError(f"copy: zero_vector_rate must be in [0, 1), got {zero_vector_rate}")
    self.zero_vector_rate = float(zero_vector_rate)
    self.bits = bits
    self.input_size = bits + 1
    self.output_size = bits
    self.train_lengths = tuple(train_lengths)
    self.test_lengths = tuple(test_lengths)

  def num_steps(self, max_length: int) -> int:
    return 2 * max_length + 1

  def _vectors(self, key: jax.Array, batch_size: int, max_length: int) -> jax.Array:
    return jax.random.bernoulli(key, BIT_PROBABILITY, (batch_size, max_length, self.bits)).astype(
      jnp.float32
    )

  def sample_lengths(self, key: jax.Array, lengths: jax.Array, max_length: int) -> base.Batch:
    """See `base.Task.sample_lengths`; `lengths` is the number of vectors to copy."""
    self.check_length(max_length)
    seq_BxLxD = self._vectors(key, lengths.shape[0], max_length)
    return self._layout(seq_BxLxD, lengths, max_length)

  def sample_train_lengths(self, key: jax.Array, lengths: jax.Array, max_length: int) -> base.Batch:
    """`sample_lengths`, each vector zeroed with probability `zero_vector_rate`."""
    if not self.zero_vector_rate:
      return self.sample_lengths(key, lengths, max_length)
    self.check_length(max_length)
    seq_BxLxD = self._vectors(key, lengths.shape[0], max_length)
    zero_key = jax.random.fold_in(key, ZERO_VECTOR_TAG)
    keep_BxL = jax.random.uniform(zero_key, seq_BxLxD.shape[:2]) >= self.zero_vector_rate
    return self._layout(seq_BxLxD * keep_BxL[..., None], lengths, max_length)

  def _layout(self, seq_BxLxD: jax.Array, lengths: jax.Array, max_length: int) -> base.Batch:
    """The batch of the module docstring's layout around the vectors [B, max_length, bits]."""
    num_steps = self.num_steps(max_length)

    t_1xT = jnp.arange(num_steps)[None, :]
    len_Bx1 = jnp.asarray(lengths, jnp.int32)[:, None]

    # Input phase: the vector x_t at step t < L.
    in_src_BxT = jnp.clip(t_1xT, 0, max_length - 1)
    data_in_BxTxD = jnp.take_along_axis(seq_BxLxD, in_src_BxT[..., None], axis=1)
    data_in_BxTxD = data_in_BxTxD * (t_1xT < len_Bx1)[..., None]
    delimiter_BxT = (t_1xT == len_Bx1).astype(jnp.float32)
    inputs = jnp.concatenate([data_in_BxTxD, delimiter_BxT[..., None]], axis=-1)

    # Output phase: x_{t-L-1} at steps L+1 .. 2L.
    out_phase_BxT = (t_1xT > len_Bx1) & (t_1xT <= 2 * len_Bx1)
    out_src_BxT = jnp.clip(t_1xT - len_Bx1 - 1, 0, max_length - 1)
    targets = jnp.take_along_axis(seq_BxLxD, out_src_BxT[..., None], axis=1)
    targets = targets * out_phase_BxT[..., None]
    return base.Batch(inputs=inputs, targets=targets, mask=out_phase_BxT.astype(jnp.float32))
