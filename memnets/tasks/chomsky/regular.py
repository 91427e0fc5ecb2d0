"""The regular tasks of Delétang et al. 2023, "Neural Networks and the Chomsky Hierarchy".

App. A of the paper (and its public task generators) define, each with a single
output step (one class) after the input string:
- even_pairs: a binary string; is the number of "ab" plus "ba" substrings even?
  (class 0: even, 1: odd). Equivalently, do the first and last tokens differ.
- parity_check: a binary string over {a, b}; the parity of the number of b's.
- cycle_navigation: moves on a cycle of 5 states, starting at state 0; tokens
  0, 1, 2 mean "one step back", "stay", "one step forward"; the class is the
  final state.
- modular_arithmetic: an expression d o d o ... d with digits d in {0..4} and
  operators o in {+, -, *} drawn uniformly, evaluated modulo 5 with the usual
  precedence (* before + and -, left to right). The expression has an odd number
  of tokens: a requested even length L gives an expression of L - 1 tokens
  (the paper's convention), so the output step follows the last real token.
  The public generator's vocabulary also reserves a blank symbol that it never
  samples; we leave it out (8 symbols: digits, +, -, *).

Every input string is drawn uniformly; lengths count input tokens.
"""

import jax
import jax.numpy as jnp

from memnets.tasks.chomsky import encoding

BINARY = 2
CYCLE_LENGTH = 5  # the paper's cycle has 5 states
CYCLE_MOVES = 3  # back, stay, forward
MODULUS = 5  # the paper's modulus for the arithmetic tasks
PLUS, MINUS, TIMES = MODULUS, MODULUS + 1, MODULUS + 2  # operator tokens follow the digits
NUM_OPERATORS = 3


def _single_class(tokens_BxL: jax.Array, lengths_B: jax.Array, label_B: jax.Array):
  """Strings for a task whose whole answer is one class after the input."""
  ones_B = jnp.ones_like(lengths_B)
  return encoding.Strings(
    inputs=tokens_BxL.astype(jnp.int32),
    input_lengths=lengths_B,
    outputs=label_B.astype(jnp.int32)[:, None],
    output_lengths=ones_B,
    scored_lengths=ones_B,
  )


class _ClassificationTask(encoding.ChomskyTask):
  """A task whose output is a single class."""

  def output_length(self, length: int) -> int:
    del length
    return 1


class EvenPairs(_ClassificationTask):
  """Is the number of unequal adjacent pairs ("ab" or "ba") even? (class 1 if odd)."""

  name = "even_pairs"
  input_vocab_size = BINARY
  output_size = 2

  def generate(self, key, lengths, max_length):
    batch_size = lengths.shape[0]
    tokens_BxL = jax.random.randint(key, (batch_size, max_length), 0, BINARY)
    pos_BxL = encoding.positions(batch_size, max_length)
    unequal_BxL = tokens_BxL != jnp.roll(tokens_BxL, -1, axis=1)
    counted_BxL = unequal_BxL & (pos_BxL + 1 < lengths[:, None])
    return _single_class(tokens_BxL, lengths, jnp.sum(counted_BxL, axis=1) % 2)


class ParityCheck(_ClassificationTask):
  """Parity of the number of b's (token 1) in a binary string."""

  name = "parity_check"
  input_vocab_size = BINARY
  output_size = 2

  def generate(self, key, lengths, max_length):
    batch_size = lengths.shape[0]
    tokens_BxL = jax.random.randint(key, (batch_size, max_length), 0, BINARY)
    valid_BxL = encoding.positions(batch_size, max_length) < lengths[:, None]
    return _single_class(tokens_BxL, lengths, jnp.sum(tokens_BxL * valid_BxL, axis=1) % 2)


class CycleNavigation(_ClassificationTask):
  """Final state on a 5-cycle after moves back (0), stay (1) or forward (2) from state 0."""

  name = "cycle_navigation"
  input_vocab_size = CYCLE_MOVES
  output_size = CYCLE_LENGTH

  def generate(self, key, lengths, max_length):
    batch_size = lengths.shape[0]
    tokens_BxL = jax.random.randint(key, (batch_size, max_length), 0, CYCLE_MOVES)
    valid_BxL = encoding.positions(batch_size, max_length) < lengths[:, None]
    steps_BxL = (tokens_BxL - 1) * valid_BxL
    return _single_class(tokens_BxL, lengths, jnp.sum(steps_BxL, axis=1) % CYCLE_LENGTH)


def evaluate_modular_expression(tokens_BxL: jax.Array, lengths_B: jax.Array) -> jax.Array:
  """Value mod 5 of `d o d o ... d` with * binding tighter than + and -.

  Args:
    tokens_BxL: [B, L] tokens; digits at even positions, operators at odd ones.
    lengths_B: [B] odd number of valid tokens.

  Returns:
    [B] int32 values in [0, MODULUS).
  """
  digits_BxK = tokens_BxL[:, 0::2]
  num_ops = digits_BxK.shape[1] - 1
  ops_KxB = tokens_BxL[:, 1 : 2 * num_ops : 2].T
  operands_KxB = digits_BxK[:, 1:].T
  valid_KxB = jnp.arange(num_ops)[:, None] < (lengths_B[None, :] - 1) // 2

  def step(carry, op_digit_valid):
    # total: sum of the finished additive terms; term: product of the current one.
    total_B, term_B = carry
    op_B, digit_B, valid_B = op_digit_valid
    product_B = (term_B * digit_B) % MODULUS
    signed_B = jnp.where(op_B == MINUS, -digit_B, digit_B) % MODULUS
    new_total_B = jnp.where(op_B == TIMES, total_B, (total_B + term_B) % MODULUS)
    new_term_B = jnp.where(op_B == TIMES, product_B, signed_B)
    return (
      jnp.where(valid_B, new_total_B, total_B),
      jnp.where(valid_B, new_term_B, term_B),
    ), None

  init = (jnp.zeros_like(lengths_B), digits_BxK[:, 0])
  (total_B, term_B), _ = jax.lax.scan(step, init, (ops_KxB, operands_KxB, valid_KxB))
  return (total_B + term_B) % MODULUS


class ModularArithmetic(_ClassificationTask):
  """Value modulo 5 of a random expression over {0..4} and {+, -, *} (no brackets)."""

  name = "modular_arithmetic"
  input_vocab_size = MODULUS + NUM_OPERATORS
  output_size = MODULUS

  def generate(self, key, lengths, max_length):
    batch_size = lengths.shape[0]
    digit_key, op_key = jax.random.split(key)
    digits_BxL = jax.random.randint(digit_key, (batch_size, max_length), 0, MODULUS)
    ops_BxL = jax.random.randint(op_key, (batch_size, max_length), PLUS, PLUS + NUM_OPERATORS)
    is_digit_BxL = encoding.positions(batch_size, max_length) % 2 == 0
    tokens_BxL = jnp.where(is_digit_BxL, digits_BxL, ops_BxL)
    odd_lengths = lengths - (1 - lengths % 2)
    labels = evaluate_modular_expression(tokens_BxL, odd_lengths)
    return _single_class(tokens_BxL, odd_lengths, labels)
