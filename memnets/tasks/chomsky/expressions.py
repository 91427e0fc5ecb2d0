"""On-device generator of random bracketed modular expressions.

Delétang et al. 2023, "Neural Networks and the Chomsky Hierarchy", App. A
(modular_arithmetic_brackets, solve_equation), and the grammar of their public
generator: an expression of exactly `length` tokens over digits {0..4} is

  length 1: d        length 2: -d        length 3: (d)        length 4: (-d)
  length >= 5: (E1 o E2) with len(E1) ~ U[1, length - 4], len(E2) = length - 3 - len(E1)

where d ~ U{0..4} and the operator o is drawn uniformly from {+, -, *} (or from
{+, -} without multiplication). Its value is computed modulo 5.

The recursion is unrolled into a `jax.lax.while_loop` over an explicit work
stack (fixed-size buffers), written for one example and `jax.vmap`ped over the
batch. Work items are "generate a sub-expression of length k" (GENERATE), "emit
operator o" (OPERATOR) and "emit ')' and combine the top two values with o"
(CLOSE); a GENERATE of length >= 5 emits '(' and pushes CLOSE, GENERATE(right),
OPERATOR, GENERATE(left), so the tokens come out left to right. The loop runs
at most `length` steps; its random numbers are drawn for the whole batch before
it starts.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp

MODULUS = 5
# Token ids: digits 0..4, then these symbols.
PLUS, MINUS, TIMES, OPEN, CLOSE_BRACKET = range(MODULUS, MODULUS + 5)
VOCAB_SIZE = MODULUS + 5
OPERATOR_TOKENS = (PLUS, MINUS, TIMES)
LONGEST_LEAF = 4  # expressions of length <= 4 are d, -d, (d), (-d)
CHUNK = LONGEST_LEAF  # at most this many tokens are written per loop step
# Work-stack headroom: the stack holds <= 3 items per bracket on the current path
# (whose lengths drop by >= 4 per level) plus one; a push writes 4 slots.
STACK_HEADROOM = 8

GENERATE, OPERATOR, CLOSE = 0, 1, 2


class _State(NamedTuple):
  step: jax.Array  # loop counter, indexes the pre-drawn random numbers
  kinds: jax.Array  # [S] work item kinds
  args: jax.Array  # [S] work item arguments (length, or operator index)
  top: jax.Array  # number of pending work items
  values: jax.Array  # [S] values of finished sub-expressions
  num_values: jax.Array
  tokens: jax.Array  # [L + CHUNK] emitted tokens
  num_tokens: jax.Array


def _combine(left: jax.Array, right: jax.Array, operator: jax.Array) -> jax.Array:
  """(left o right) mod 5 for operator index 0 (+), 1 (-), 2 (*)."""
  results = jnp.stack([left + right, left - right, left * right])
  return results[operator] % MODULUS


def _leaf_chunk(length: jax.Array, digit: jax.Array) -> jax.Array:
  """The CHUNK tokens of the leaf of `length` 1..4 holding `digit` (extra slots unused)."""
  table = jnp.array(
    [
      [0, 0, 0, 0],
      [MINUS, 0, 0, 0],
      [OPEN, 0, CLOSE_BRACKET, 0],
      [OPEN, MINUS, 0, CLOSE_BRACKET],
    ]
  )
  digit_slot = jnp.array([0, 1, 1, 2])
  index = jnp.clip(length, 1, LONGEST_LEAF) - 1
  return table[index].at[digit_slot[index]].set(digit)


class _Draws(NamedTuple):
  """Random numbers drawn before the loop, one of each per loop step."""

  digits: jax.Array  # [N] uniform in {0..4}
  operators: jax.Array  # [N] uniform operator indices
  splits: jax.Array  # [N] uniform in [0, 1), turned into the left sub-expression's length


def _step(state: _State, draws: _Draws) -> _State:
  """Pops one work item and performs it."""
  top = state.top - 1
  kind, arg = state.kinds[top], state.args[top]
  digit, operator = draws.digits[state.step], draws.operators[state.step]
  # left length ~ U[1, arg - 4] (only used when arg >= 5).
  choices = jnp.maximum(arg - LONGEST_LEAF, 1)
  left_length = 1 + jnp.minimum(jnp.floor(draws.splits[state.step] * choices), choices - 1)
  left_length = left_length.astype(jnp.int32)

  is_generate = kind == GENERATE
  is_leaf = is_generate & (arg <= LONGEST_LEAF)
  is_bracket = is_generate & (arg > LONGEST_LEAF)
  is_close = kind == CLOSE

  # Tokens written at num_tokens.
  single = jnp.where(is_bracket, OPEN, jnp.where(is_close, CLOSE_BRACKET, PLUS + arg))
  chunk = jnp.where(is_leaf, _leaf_chunk(arg, digit), jnp.full((CHUNK,), single))
  tokens = jax.lax.dynamic_update_slice(state.tokens, chunk, (state.num_tokens,))
  num_tokens = state.num_tokens + jnp.where(is_leaf, arg, 1)

  # Work items pushed for a bracket (popped in reverse: left first).
  right_length = arg - 3 - left_length
  kinds = jax.lax.dynamic_update_slice(
    state.kinds, jnp.array([CLOSE, GENERATE, OPERATOR, GENERATE]), (top,)
  )
  args = jax.lax.dynamic_update_slice(
    state.args, jnp.stack([operator, right_length, operator, left_length]), (top,)
  )
  top = top + jnp.where(is_bracket, 4, 0)

  # Values: a leaf pushes its value, CLOSE replaces the top two by their combination.
  leaf_value = jnp.where(arg % 2 == 0, -digit, digit) % MODULUS
  combined = _combine(state.values[state.num_values - 2], state.values[state.num_values - 1], arg)
  slot = jnp.where(is_close, state.num_values - 2, state.num_values)
  values = state.values.at[slot].set(jnp.where(is_close, combined, leaf_value))
  num_values = state.num_values + jnp.where(is_leaf, 1, jnp.where(is_close, -1, 0))
  return _State(state.step + 1, kinds, args, top, values, num_values, tokens, num_tokens)


def _expression(draws: _Draws, length: jax.Array, max_length: int) -> tuple[jax.Array, jax.Array]:
  """One expression of `length` tokens built from pre-drawn random numbers [max_length]."""
  stack_size = max_length + STACK_HEADROOM
  zeros = jnp.zeros((stack_size,), jnp.int32)
  init = _State(
    step=jnp.int32(0),
    kinds=zeros.at[0].set(GENERATE),
    args=zeros.at[0].set(length),
    top=jnp.int32(1),
    values=zeros,
    num_values=jnp.int32(0),
    tokens=jnp.zeros((max_length + CHUNK,), jnp.int32),
    num_tokens=jnp.int32(0),
  )
  final = jax.lax.while_loop(lambda state: state.top > 0, lambda state: _step(state, draws), init)
  return final.tokens[:max_length], final.values[0]


def random_expressions(
  key: jax.Array, lengths: jax.Array, max_length: int, multiplication: bool = True
) -> tuple[jax.Array, jax.Array]:
  """A batch of random bracketed expressions of exactly `lengths[i]` tokens and their values.

  Args:
    key: PRNG key.
    lengths: [B] int32, each in [1, max_length] (may be traced).
    max_length: static size of the token buffers.
    multiplication: whether `*` is among the operators.

  Returns:
    tokens: [B, max_length] int32; positions >= lengths[i] hold unspecified tokens.
    values: [B] int32, each expression's value modulo 5.
  """
  num_operators = len(OPERATOR_TOKENS) if multiplication else len(OPERATOR_TOKENS) - 1
  # With b brackets there are b + 1 leaves, so 2b + 1 GENERATE steps plus b OPERATOR
  # and b CLOSE steps: 4b + 1 <= length loop steps (each bracket owns 3 tokens, each
  # leaf at least 1); one draw of each kind per step suffices.
  shape = (lengths.shape[0], max_length)
  digit_key, operator_key, split_key = jax.random.split(key, 3)
  draws = _Draws(
    digits=jax.random.randint(digit_key, shape, 0, MODULUS),
    operators=jax.random.randint(operator_key, shape, 0, num_operators),
    splits=jax.random.uniform(split_key, shape),
  )
  return jax.vmap(lambda d, n: _expression(d, n, max_length))(draws, lengths)
