"""The deterministic context-free tasks of Delétang et al. 2023 (App. A).

"Neural Networks and the Chomsky Hierarchy", ICLR 2023, and the definitions of
its public task generators:
- stack_manipulation: a binary stack given bottom to top, followed by actions
  POP / PUSH 0 / PUSH 1 (tokens 2, 3, 4); POP on an empty stack is ignored. The
  stack takes U[1, L - 1] of the L tokens (all of them when L = 1), the actions the
  rest. The output is the final stack top to bottom, then the termination token 2,
  then zeros up to L + 1 output steps; scored up to and including the termination.
- reverse_string: a binary string; output the string reversed (L output steps).
- modular_arithmetic_brackets: a random bracketed expression of exactly L tokens
  over {0..4}, {+, -, *} and brackets (grammar in `expressions`); one output
  step, its value modulo 5. The paper's experiments use multiplication.
- solve_equation: a bracketed expression of L - 2 tokens over {0..4}, {+, -}
  (no multiplication, so the answer is unique) in which one digit is replaced by
  x, followed by "=" and the expression's value; one output step, the digit x
  stands for. As in the paper's generator the replaced digit is the first digit at
  or after a uniformly drawn position (cyclically). Needs L >= 3.
"""

import jax
import jax.numpy as jnp

from memnets.tasks.chomsky import encoding, expressions

BINARY = 2
POP, PUSH_ZERO, PUSH_ONE = 2, 3, 4  # stack_manipulation action tokens
STACK_VOCAB_SIZE = 5
TERMINATION = 2  # stack_manipulation output token ending the final stack
STACK_OUTPUT_VOCAB_SIZE = 3

MODULUS = expressions.MODULUS
# solve_equation vocabulary: digits, then these symbols (no multiplication).
EQ_PLUS, EQ_MINUS, EQ_OPEN, EQ_CLOSE, UNKNOWN, EQUALS = range(MODULUS, MODULUS + 6)
EQUATION_VOCAB_SIZE = MODULUS + 6
EQUATION_EXTRA_TOKENS = 2  # "=" and the value
# Expression tokens (expressions vocabulary) -> solve_equation tokens; "*" never occurs.
_TO_EQUATION_TOKENS = (0, 1, 2, 3, 4, EQ_PLUS, EQ_MINUS, -1, EQ_OPEN, EQ_CLOSE)


class StackManipulation(encoding.ChomskyTask):
  """Execute POP / PUSH 0 / PUSH 1 on a given binary stack; output the final stack."""

  name = "stack_manipulation"
  input_vocab_size = STACK_VOCAB_SIZE
  output_size = STACK_OUTPUT_VOCAB_SIZE

  def output_length(self, length):
    return length + 1

  def generate(self, key, lengths, max_length):
    batch_size = lengths.shape[0]
    split_key, bit_key, action_key = jax.random.split(key, 3)
    stack_sizes_B = jax.random.randint(split_key, (batch_size,), 1, jnp.maximum(lengths, 2))
    bits_BxL = jax.random.randint(bit_key, (batch_size, max_length), 0, BINARY)
    actions_BxL = jax.random.randint(action_key, (batch_size, max_length), POP, PUSH_ONE + 1)
    pos_BxL = encoding.positions(batch_size, max_length)
    tokens_BxL = jnp.where(pos_BxL < stack_sizes_B[:, None], bits_BxL, actions_BxL)

    slots_1xS = jnp.arange(max_length + 1)[None, :]

    def step(carry, token_and_valid):
      stack_BxS, height_B = carry
      token_B, valid_B = token_and_valid
      pushed_B = jnp.where(token_B < BINARY, token_B, token_B - PUSH_ZERO)
      is_push_B = valid_B & (token_B != POP)
      is_pop_B = valid_B & (token_B == POP) & (height_B > 0)
      write_BxS = is_push_B[:, None] & (slots_1xS == height_B[:, None])
      stack_BxS = jnp.where(write_BxS, pushed_B[:, None], stack_BxS)
      height_B = height_B + is_push_B - is_pop_B
      return (stack_BxS, height_B), None

    init = (jnp.zeros((batch_size, max_length + 1), jnp.int32), jnp.zeros_like(lengths))
    valid_LxB = (pos_BxL < lengths[:, None]).T
    (stack_BxS, height_B), _ = jax.lax.scan(step, init, (tokens_BxL.T, valid_LxB))

    # Output j is the stack read top down: stack[height - 1 - j], then the termination.
    out_pos_BxS = encoding.positions(batch_size, max_length + 1)
    source_BxS = jnp.clip(height_B[:, None] - 1 - out_pos_BxS, 0, max_length)
    from_stack_BxS = jnp.take_along_axis(stack_BxS, source_BxS, axis=1)
    outputs_BxS = jnp.where(out_pos_BxS < height_B[:, None], from_stack_BxS, 0)
    outputs_BxS = jnp.where(out_pos_BxS == height_B[:, None], TERMINATION, outputs_BxS)
    return encoding.Strings(tokens_BxL, lengths, outputs_BxS, lengths + 1, height_B + 1)


class ReverseString(encoding.ChomskyTask):
  """Output a binary string reversed."""

  name = "reverse_string"
  input_vocab_size = BINARY
  output_size = BINARY

  def output_length(self, length):
    return length

  def generate(self, key, lengths, max_length):
    batch_size = lengths.shape[0]
    tokens_BxL = jax.random.randint(key, (batch_size, max_length), 0, BINARY)
    pos_BxL = encoding.positions(batch_size, max_length)
    source_BxL = jnp.clip(lengths[:, None] - 1 - pos_BxL, 0, max_length - 1)
    outputs_BxL = jnp.take_along_axis(tokens_BxL, source_BxL, axis=1)
    return encoding.Strings(tokens_BxL, lengths, outputs_BxL, lengths, lengths)


class ModularArithmeticBrackets(encoding.ChomskyTask):
  """Value modulo 5 of a random bracketed expression over {0..4} and {+, -, *}."""

  name = "modular_arithmetic_brackets"
  input_vocab_size = expressions.VOCAB_SIZE
  output_size = MODULUS

  def output_length(self, length):
    del length
    return 1

  def generate(self, key, lengths, max_length):
    tokens_BxL, values_B = expressions.random_expressions(key, lengths, max_length, True)
    ones_B = jnp.ones_like(lengths)
    return encoding.Strings(tokens_BxL, lengths, values_B[:, None], ones_B, ones_B)


class SolveEquation(encoding.ChomskyTask):
  """The digit x stands for in "expression(x) = value" over {0..4}, {+, -} and brackets."""

  name = "solve_equation"
  input_vocab_size = EQUATION_VOCAB_SIZE
  output_size = MODULUS

  @property
  def min_length(self) -> int:
    return 1 + EQUATION_EXTRA_TOKENS

  def output_length(self, length):
    del length
    return 1

  def generate(self, key, lengths, max_length):
    batch_size = lengths.shape[0]
    expression_key, position_key = jax.random.split(key)
    expression_lengths_B = lengths - EQUATION_EXTRA_TOKENS
    tokens_BxE, values_B = expressions.random_expressions(
      expression_key, expression_lengths_B, max_length - EQUATION_EXTRA_TOKENS, False
    )
    tokens_BxL = jnp.pad(tokens_BxE, ((0, 0), (0, EQUATION_EXTRA_TOKENS)))
    pos_BxL = encoding.positions(batch_size, max_length)
    is_digit_BxL = (tokens_BxL < MODULUS) & (pos_BxL < expression_lengths_B[:, None])

    start_B = jax.random.randint(position_key, (batch_size,), 0, expression_lengths_B)
    after_start_BxL = is_digit_BxL & (pos_BxL >= start_B[:, None])
    unknown_B = jnp.where(
      jnp.any(after_start_BxL, axis=1),
      jnp.argmax(after_start_BxL, axis=1),
      jnp.argmax(is_digit_BxL, axis=1),
    )
    solutions_B = jnp.take_along_axis(tokens_BxL, unknown_B[:, None], axis=1)[:, 0]

    tokens_BxL = jnp.asarray(_TO_EQUATION_TOKENS, jnp.int32)[tokens_BxL]
    tokens_BxL = jnp.where(pos_BxL == unknown_B[:, None], UNKNOWN, tokens_BxL)
    tokens_BxL = jnp.where(pos_BxL == expression_lengths_B[:, None], EQUALS, tokens_BxL)
    tokens_BxL = jnp.where(pos_BxL == lengths[:, None] - 1, values_B[:, None], tokens_BxL)
    ones_B = jnp.ones_like(lengths)
    return encoding.Strings(tokens_BxL, lengths, solutions_B[:, None], ones_B, ones_B)
