"""Binary addition and multiplication in the Neural GPU's encoding (Kaiser & Sutskever 2016, §4).

The arithmetic is the Chomsky suite's (`chomsky.bitvector`); this module lays
it out as the Neural GPU reads it: one tape whose input and output are
aligned position by position. For an example of length k (bits per operand):

  input tape  x_0 … x_{k−1}  op  y_0 … y_{k−1}        (2k + 1 symbols)
  output tape z_0 … z_{2k}                             (z = x + y or x · y)

little-endian (least significant bit first), both operands uniform over
[0, 2^k) (leading zeros allowed), z written over all 2k + 1 positions (its
high bits zero). Symbols: bit 0, bit 1 and the operator, one-hot over 3
inputs; a batch padded to K > k bits carries all-zero input vectors (the
padding token) past position 2k, and those steps are not scored. Targets are
the bits, one-hot over 2 classes; every one of the 2k + 1 output positions
is scored, so a sequence is right only if the whole result is.

`structured(kind, batch_size, length)` builds the inputs Price et al. 2016
(§4) found the trained models to fail on, in binary: `carry`, x = 2^k − 1 and
y = 1 (a carry through every bit); `sparse`, x = y = 2 after k − 2 leading
zeros (in their decimal, 0…02 × 0…02).
"""

import jax
import jax.numpy as jnp

from memnets.tasks import base
from memnets.tasks.chomsky import bitvector

OPERATOR = 2  # the input symbol between the operands
INPUT_SIZE = 3  # bit 0, bit 1, the operator
OUTPUT_SIZE = 2  # bit 0, bit 1
TRAIN_LENGTHS = (1, 20)  # the paper: numbers of up to 20 bits
TEST_LENGTHS = (20, 100, 200, 2000)
STRUCTURED = ("carry", "sparse")


class NeuralGPUArithmetic(base.Task):
  """The tape `x op y -> z` for z = x + y (`op="add"`) or x · y (`op="mul"`)."""

  loss = "categorical"
  input_size = INPUT_SIZE
  output_size = OUTPUT_SIZE

  def __init__(
    self,
    op: str = "add",
    train_lengths: tuple[int, int] = TRAIN_LENGTHS,
    test_lengths: tuple[int, ...] = TEST_LENGTHS,
  ):
    if op not in ("add", "mul"):
      raise ValueError(f"op must be 'add' or 'mul', got {op!r}")
    self.op = op
    self.name = {"add": "neural_gpu_addition", "mul": "neural_gpu_multiplication"}[op]
    self.train_lengths = tuple(int(v) for v in train_lengths)
    self.test_lengths = tuple(int(v) for v in test_lengths)

  def num_steps(self, max_length: int) -> int:
    return 2 * max_length + 1

  def result(self, x_BxW: jax.Array, y_BxW: jax.Array) -> jax.Array:
    """z [B, W]: the sum or product of little-endian bit vectors (W ≥ 2k + 1 bits: exact)."""
    return bitvector.add(x_BxW, y_BxW) if self.op == "add" else bitvector.multiply(x_BxW, y_BxW)

  def encode(self, x_BxK: jax.Array, y_BxK: jax.Array, lengths: jax.Array) -> base.Batch:
    """The batch of operands x, y [B, K] (little-endian bits, zero at and above each length)."""
    batch_size, size = x_BxK.shape
    steps = self.num_steps(size)
    pos = jnp.broadcast_to(jnp.arange(steps, dtype=jnp.int32), (batch_size, steps))
    k = lengths[:, None]
    y_at = jnp.take_along_axis(y_BxK, jnp.clip(pos - k - 1, 0, size - 1), axis=1)
    x_at = jnp.take_along_axis(x_BxK, jnp.clip(pos, 0, size - 1), axis=1)
    tokens = jnp.where(pos < k, x_at, jnp.where(pos == k, OPERATOR, y_at))
    scored = pos < 2 * k + 1
    pad = jnp.zeros((batch_size, steps - size), jnp.int32)
    z = self.result(jnp.concatenate([x_BxK, pad], 1), jnp.concatenate([y_BxK, pad], 1))
    inputs = jax.nn.one_hot(tokens, INPUT_SIZE) * scored[..., None]
    targets = jax.nn.one_hot(jnp.where(scored, z, 0), OUTPUT_SIZE)
    return base.Batch(inputs, targets, scored.astype(jnp.float32))

  def sample_lengths(self, key: jax.Array, lengths: jax.Array, max_length: int) -> base.Batch:
    """See `base.Task.sample_lengths`: operands uniform over [0, 2^k)."""
    self.check_length(max_length)
    lengths = jnp.asarray(lengths, jnp.int32)
    batch_size = lengths.shape[0]
    bits = jax.random.bernoulli(key, 0.5, (2, batch_size, max_length)).astype(jnp.int32)
    below = jnp.arange(max_length)[None] < lengths[:, None]
    return self.encode(bits[0] * below, bits[1] * below, lengths)

  def structured(self, kind: str, batch_size: int, length: int) -> base.Batch:
    """`batch_size` copies of Price et al.'s `kind` input ("carry" or "sparse") of `length` bits."""
    if kind not in STRUCTURED:
      raise ValueError(f"kind must be one of {STRUCTURED}, got {kind!r}")
    self.check_length(length)
    pos = jnp.arange(length)
    if kind == "carry":
      x, y = jnp.ones(length, jnp.int32), (pos == 0).astype(jnp.int32)
    else:
      x = y = (pos == 1).astype(jnp.int32) if length > 1 else jnp.zeros(1, jnp.int32)
    lengths = jnp.full((batch_size,), length, jnp.int32)
    return self.encode(jnp.tile(x, (batch_size, 1)), jnp.tile(y, (batch_size, 1)), lengths)


def addition(**kwargs) -> NeuralGPUArithmetic:
  return NeuralGPUArithmetic("add", **kwargs)


def multiplication(**kwargs) -> NeuralGPUArithmetic:
  return NeuralGPUArithmetic("mul", **kwargs)


TASKS = {"neural_gpu_addition": addition, "neural_gpu_multiplication": multiplication}
