"""The binary-arithmetic context-sensitive tasks of Delétang et al. 2023 (App. A).

"Neural Networks and the Chomsky Hierarchy", ICLR 2023, and the definitions of
its public task generators. Tokens 0 and 1 are bits; token 2 is the separator
"+" / "*" in the inputs and the termination token in the outputs.
- binary_addition: input `n + m` with n, m little-endian; for a length L >= 3,
  n has U[1, L - 2] bits, m the remaining L - 1 - |n| bits, and each number is
  uniform among the nonzero values of its width (leading zeros allowed). The
  output is n + m in little-endian without leading zeros, the termination token,
  then zeros up to L + 1 output steps; scored up to and including the termination.
  For L <= 2 the input is a single number x ~ U[0, 2**L - 2] (no separator) and
  the output is x (the paper's convention); x = 0 is written as the one digit
  0, so its target is 0 and the termination, two scored steps.
- binary_multiplication: the same inputs with `*`; the output is n * m likewise
  terminated and zero-padded to L output steps. For L <= 2 the output is L - 1
  zeros and the termination token (the paper's convention).
- compute_sqrt: a big-endian binary number x ~ U[1, 2**L - 1] of L bits; the
  output is floor(sqrt(x)) in big-endian over exactly ceil(L / 2) bits (leading
  zeros kept), all of them scored.
"""

import jax
import jax.numpy as jnp

from memnets.tasks.chomsky import bitvector, encoding

BINARY = 2
SEPARATOR = 2  # input token between the two numbers
TERMINATION = 2  # output token after the result
VOCAB_SIZE = 3
SHORTEST_EXPRESSION = 3  # one bit, the separator, one bit


def nonzero_bits(key: jax.Array, widths: jax.Array, size: int) -> jax.Array:
  """Uniform nonzero numbers of `widths[i]` bits (by rejection), as [B, size] bits.

  Args:
    key: PRNG key.
    widths: [B] int32 number of bits of each number, in [1, size].
    size: static number of bit positions.
  """
  batch_size = widths.shape[0]
  in_width_BxS = encoding.positions(batch_size, size) < widths[:, None]

  def redraw_zeros(state):
    attempt, bits_BxS = state
    fresh_BxS = jax.random.bits(jax.random.fold_in(key, attempt), bits_BxS.shape) & 1
    is_zero_B = jnp.all(bits_BxS == 0, axis=1)
    fresh_BxS = fresh_BxS.astype(jnp.int32) * in_width_BxS
    return attempt + 1, jnp.where(is_zero_B[:, None], fresh_BxS, bits_BxS)

  def any_zero(state):
    return jnp.any(jnp.all(state[1] == 0, axis=1))

  zeros_BxS = jnp.zeros((batch_size, size), jnp.int32)
  _, bits_BxS = jax.lax.while_loop(any_zero, redraw_zeros, (jnp.int32(0), zeros_BxS))
  return bits_BxS


def _operands(key: jax.Array, lengths: jax.Array, max_length: int):
  """Samples `n SEP m` inputs (or a single number when the length is <= 2).

  Returns:
    tokens: [B, max_length] input tokens.
    first, second: [B, max_length + 1] little-endian bits of n and m.
    is_single: [B] bool, the length <= 2 case; then `first` holds the number.
  """
  batch_size = lengths.shape[0]
  split_key, operand_key, single_key = jax.random.split(key, 3)
  size = max_length + 1
  first_widths_B = jax.random.randint(split_key, (batch_size,), 1, jnp.maximum(lengths - 1, 2))
  second_widths_B = jnp.maximum(lengths - 1 - first_widths_B, 1)
  widths_2B = jnp.concatenate([first_widths_B, second_widths_B])
  first_BxS, second_BxS = jnp.split(nonzero_bits(operand_key, widths_2B, size), 2)

  is_single_B = lengths < SHORTEST_EXPRESSION
  single_widths_B = jnp.minimum(lengths, SHORTEST_EXPRESSION - 1)
  single_B = jax.random.randint(single_key, (batch_size,), 0, 2**single_widths_B - 1)
  pos_BxS = encoding.positions(batch_size, size)
  single_BxS = (
    (single_B[:, None] >> jnp.minimum(pos_BxS, SHORTEST_EXPRESSION))
    & 1
    & (pos_BxS < lengths[:, None])
  )
  first_BxS = jnp.where(is_single_B[:, None], single_BxS, first_BxS)
  second_BxS = jnp.where(is_single_B[:, None], 0, second_BxS)

  pos_BxL = pos_BxS[:, :max_length]
  width_Bx1 = jnp.where(is_single_B, lengths, first_widths_B)[:, None]
  second_src_BxL = jnp.clip(pos_BxL - width_Bx1 - 1, 0, max_length)
  tokens_BxL = jnp.take_along_axis(second_BxS, second_src_BxL, axis=1)
  tokens_BxL = jnp.where(pos_BxL == width_Bx1, SEPARATOR, tokens_BxL)
  tokens_BxL = jnp.where(pos_BxL < width_Bx1, first_BxS[:, :max_length], tokens_BxL)
  return tokens_BxL, first_BxS, second_BxS, is_single_B


def _terminated(result_BxS: jax.Array, result_lengths_B: jax.Array, size: int) -> jax.Array:
  """[B, size] outputs: the result's bits, the termination token, then zeros."""
  pos_BxS = encoding.positions(result_BxS.shape[0], size)
  outputs_BxS = jnp.where(pos_BxS < result_lengths_B[:, None], result_BxS[:, :size], 0)
  return jnp.where(pos_BxS == result_lengths_B[:, None], TERMINATION, outputs_BxS)


class BinaryAddition(encoding.ChomskyTask):
  """Sum of two little-endian binary numbers, terminated by token 2."""

  name = "binary_addition"
  input_vocab_size = VOCAB_SIZE
  output_size = VOCAB_SIZE

  def output_length(self, length):
    return length + 1

  def generate(self, key, lengths, max_length):
    tokens_BxL, first_BxS, second_BxS, _ = _operands(key, lengths, max_length)
    sum_BxS = bitvector.add(first_BxS, second_BxS)
    sum_lengths_B = jnp.maximum(bitvector.bit_length(sum_BxS), 1)  # zero is the digit 0
    outputs = _terminated(sum_BxS, sum_lengths_B, max_length + 1)
    return encoding.Strings(tokens_BxL, lengths, outputs, lengths + 1, sum_lengths_B + 1)


class BinaryMultiplication(encoding.ChomskyTask):
  """Product of two little-endian binary numbers, terminated by token 2."""

  name = "binary_multiplication"
  input_vocab_size = VOCAB_SIZE
  output_size = VOCAB_SIZE

  def output_length(self, length):
    return length

  def generate(self, key, lengths, max_length):
    tokens_BxL, first_BxS, second_BxS, is_single_B = _operands(key, lengths, max_length)
    product_BxS = bitvector.multiply(first_BxS, second_BxS)
    product_BxS = jnp.where(is_single_B[:, None], 0, product_BxS)
    product_lengths_B = jnp.where(is_single_B, lengths - 1, bitvector.bit_length(product_BxS))
    outputs = _terminated(product_BxS, product_lengths_B, max_length)
    return encoding.Strings(tokens_BxL, lengths, outputs, lengths, product_lengths_B + 1)


class ComputeSqrt(encoding.ChomskyTask):
  """floor(sqrt(x)) of a big-endian binary number, over ceil(L / 2) big-endian bits."""

  name = "compute_sqrt"
  input_vocab_size = BINARY
  output_size = BINARY

  def output_length(self, length):
    return (length + 1) // 2

  def generate(self, key, lengths, max_length):
    batch_size = lengths.shape[0]
    width = max_length + max_length % 2
    number_BxW = nonzero_bits(key, lengths, width)
    root_BxW = bitvector.integer_sqrt(number_BxW)

    pos_BxL = encoding.positions(batch_size, max_length)
    big_endian_src_BxL = jnp.clip(lengths[:, None] - 1 - pos_BxL, 0, width - 1)
    tokens_BxL = jnp.take_along_axis(number_BxW, big_endian_src_BxL, axis=1)

    root_lengths_B = (lengths + 1) // 2
    out_pos_BxO = pos_BxL[:, : self.output_length(max_length)]
    root_src_BxO = jnp.clip(root_lengths_B[:, None] - 1 - out_pos_BxO, 0, width - 1)
    outputs_BxO = jnp.take_along_axis(root_BxW, root_src_BxO, axis=1)
    return encoding.Strings(tokens_BxL, lengths, outputs_BxO, root_lengths_B, root_lengths_B)
