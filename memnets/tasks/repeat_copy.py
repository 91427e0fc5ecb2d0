"""The repeat copy task (Graves, Wayne, Danihelka 2014, Neural Turing Machines, §4.2).

The network sees a sequence of random binary vectors followed by the number of
times it must be repeated, then emits the sequence that many times followed by
an end marker. In the paper the vectors have 8 bits, and both the sequence
length and the repeat count are drawn uniformly from 1 to 10. The repeat count
arrives on its own input channel and, as in the paper, is normalised to mean 0
and variance 1 under the training distribution of counts: for counts uniform on
the integers `lo..hi`,

  normalised(r) = (r - (lo + hi) / 2) / sqrt(((hi - lo + 1)^2 - 1) / 12)

(for `lo == hi` the scale is 1). `normalise_with` fixes this range separately
from the sampled range, so that an evaluation with more repeats than seen in
training keeps the training normalisation.

Layout of one example with L vectors and R repeats; inputs have bits + 2
channels (data, delimiter, repeat count) and targets bits + 1 (data, end):

  t in [0, L):             inputs = (x_t, 0, 0)           mask = 0
  t = L:                   inputs = (0, 1, normalised(R)) mask = 0
  t in [L+1, L+L*R]:       targets = (x_{(t-L-1) mod L}, 0)   mask = 1
  t = L+1+L*R:             targets = (0, 1)  (end marker)     mask = 1
  later steps:             zeros, mask 0, up to T = max_length * (1 + max_repeats) + 2

`layout="deepmind"` is the variant of DeepMind's public DNC code
(`repeat_copy.py` of deepmind/dnc): a start marker on the flag channel at
t = 0, the vectors at t in [1, L], the count at t = L + 1 as R / norm_max
(norm_max 10 there), the copies from t = L + 2 and the end marker after them;
T = max_length * (1 + max_repeats) + 3.
"""

import math

import jax
import jax.numpy as jnp

from memnets.tasks import base

DEFAULT_BITS = 8
DEFAULT_REPEATS = (1, 10)
TRAIN_LENGTHS = (1, 10)
TEST_LENGTHS = (5, 10, 15, 20)
BIT_PROBABILITY = 0.5
LAYOUTS = ("ntm", "deepmind")
DEEPMIND_NORM_MAX = 10  # deepmind/dnc divides the repeat count by this


def repeat_normalisation(repeats: tuple[int, int]) -> tuple[float, float]:
  """Mean and standard deviation of a count uniform on the integers lo..hi."""
  low, high = repeats
  mean = (low + high) / 2
  variance = ((high - low + 1) ** 2 - 1) / 12
  return mean, math.sqrt(variance) if variance > 0 else 1.0


class RepeatCopy(base.Task):
  """Copy a sequence of random binary vectors a given number of times."""

  name = "repeat_copy"
  loss = "bits"

  def __init__(
    self,
    bits: int = DEFAULT_BITS,
    repeats: tuple[int, int] = DEFAULT_REPEATS,
    normalise_with: tuple[int, int] | None = None,
    train_lengths: tuple[int, int] = TRAIN_LENGTHS,
    test_lengths: tuple[int, ...] = TEST_LENGTHS,
    layout: str = "ntm",
    norm_max: float = DEEPMIND_NORM_MAX,
  ):
    """Initialises.

    Args:
      bits: width of each random vector (8 in the paper).
      repeats: closed `(min, max)` range of repeat counts, drawn per example.
      normalise_with: count range whose mean and variance normalise the repeat
        channel; defaults to `repeats`.
      train_lengths: closed `(min, max)` range of training sequence lengths.
      test_lengths: sequence lengths of the generalisation sweep.
      layout: "ntm" (the NTM paper's, above) or "deepmind" (deepmind/dnc's).
      norm_max: the "deepmind" layout's repeat channel is count / norm_max.
    """
    if bits < 1:
      raise ValueError(f"repeat_copy: bits must be >= 1, got {bits}")
    if layout not in LAYOUTS:
      raise ValueError(f"repeat_copy: unknown layout {layout!r}; known: {LAYOUTS}")
    if norm_max <= 0:
      raise ValueError(f"repeat_copy: norm_max must be > 0, got {norm_max}")
    self.layout = layout
    self.norm_max = float(norm_max)
    self._shift = 1 if layout == "deepmind" else 0  # the start marker's step
    low, high = (int(v) for v in repeats)
    if not 1 <= low <= high:
      raise ValueError(f"repeat_copy: repeats must satisfy 1 <= min <= max, got {repeats}")
    self.bits = bits
    self.repeats = (low, high)
    self.repeat_mean, self.repeat_std = repeat_normalisation(
      self.repeats if normalise_with is None else tuple(normalise_with)
    )
    self.input_size = bits + 2
    self.output_size = bits + 1
    self.train_lengths = tuple(train_lengths)
    self.test_lengths = tuple(test_lengths)

  def num_steps(self, max_length: int) -> int:
    return max_length * (1 + self.repeats[1]) + 2 + self._shift

  def normalise(self, repeats: jax.Array) -> jax.Array:
    """The value of the repeat channel for repeat counts `repeats`."""
    repeats = jnp.asarray(repeats, jnp.float32)
    if self.layout == "deepmind":
      return repeats / self.norm_max
    return (repeats - self.repeat_mean) / self.repeat_std

  def sample_lengths(self, key: jax.Array, lengths: jax.Array, max_length: int) -> base.Batch:
    """See `base.Task.sample_lengths`; repeat counts are drawn here from `repeats`."""
    self.check_length(max_length)
    batch_size = lengths.shape[0]
    num_steps = self.num_steps(max_length)
    seq_key, repeat_key = jax.random.split(key)
    seq_BxLxD = jax.random.bernoulli(
      seq_key, BIT_PROBABILITY, (batch_size, max_length, self.bits)
    ).astype(jnp.float32)
    low, high = self.repeats
    repeats_B = jax.random.randint(repeat_key, (batch_size,), low, high + 1)

    # The "ntm" layout is the "deepmind" one without its start step.
    t_1xT = jnp.arange(num_steps)[None, :] - self._shift
    len_Bx1 = jnp.asarray(lengths, jnp.int32)[:, None]
    end_Bx1 = len_Bx1 + 1 + len_Bx1 * repeats_B[:, None]  # the end-marker step

    in_src_BxT = jnp.clip(t_1xT, 0, max_length - 1)
    data_in_BxTxD = jnp.take_along_axis(seq_BxLxD, in_src_BxT[..., None], axis=1)
    data_in_BxTxD = data_in_BxTxD * ((t_1xT >= 0) & (t_1xT < len_Bx1))[..., None]
    is_count_BxT = t_1xT == len_Bx1  # the count's step (and the NTM layout's delimiter)
    is_start_BxT = jnp.broadcast_to(t_1xT == -1, is_count_BxT.shape)
    is_flag_BxT = is_count_BxT if self.layout == "ntm" else is_start_BxT
    repeat_channel_BxT = jnp.where(is_count_BxT, self.normalise(repeats_B)[:, None], 0.0)
    inputs = jnp.concatenate(
      [
        data_in_BxTxD,
        is_flag_BxT.astype(jnp.float32)[..., None],
        repeat_channel_BxT[..., None],
      ],
      axis=-1,
    )

    copying_BxT = (t_1xT > len_Bx1) & (t_1xT < end_Bx1)
    out_src_BxT = jnp.clip((t_1xT - len_Bx1 - 1) % len_Bx1, 0, max_length - 1)
    data_out_BxTxD = jnp.take_along_axis(seq_BxLxD, out_src_BxT[..., None], axis=1)
    data_out_BxTxD = data_out_BxTxD * copying_BxT[..., None]
    is_end_BxT = t_1xT == end_Bx1
    targets = jnp.concatenate([data_out_BxTxD, is_end_BxT.astype(jnp.float32)[..., None]], axis=-1)
    mask = (copying_BxT | is_end_BxT).astype(jnp.float32)
    return base.Batch(inputs=inputs, targets=targets, mask=mask)
