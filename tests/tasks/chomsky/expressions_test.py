"""Tests of the bracketed-expression generator: exact lengths, grammar and values."""

import jax
import jax.numpy as jnp
import numpy as np

from memnets.tasks.chomsky import expressions

MAX_LENGTH = 23
LENGTHS = tuple(range(1, MAX_LENGTH + 1))
SYMBOLS = "01234+-*()"
_sample = jax.jit(expressions.random_expressions, static_argnums=(2, 3))


def _parse(tokens):
  """Checks the paper's grammar and returns the value mod 5 (recursive descent)."""
  position = 0

  def expression():
    nonlocal position
    token = tokens[position]
    position += 1
    if token < expressions.MODULUS:
      return token
    if token == expressions.MINUS:  # unary minus only before a digit
      assert tokens[position] < expressions.MODULUS
      return -expression() % expressions.MODULUS
    assert token == expressions.OPEN, tokens
    left = expression()
    if tokens[position] == expressions.CLOSE_BRACKET:  # (d) or (-d)
      position += 1
      return left
    operator = expressions.OPERATOR_TOKENS.index(tokens[position])
    position += 1
    right = expression()
    assert tokens[position] == expressions.CLOSE_BRACKET, tokens
    position += 1
    return [left + right, left - right, left * right][operator] % expressions.MODULUS

  value = expression()
  assert position == len(tokens), tokens
  return value


def _generate(seed, multiplication):
  tokens, values = _sample(jax.random.key(seed), jnp.array(LENGTHS), MAX_LENGTH, multiplication)
  return [list(row[:n]) for n, row in zip(LENGTHS, np.asarray(tokens), strict=True)], list(
    np.asarray(values)
  )


def test_expressions_have_exact_length_valid_grammar_and_correct_value():
  strings, values = _generate(0, True)
  for string, value in zip(strings, values, strict=True):
    assert _parse([int(t) for t in string]) == value, "".join(SYMBOLS[t] for t in string)


def test_short_expressions_follow_the_paper():
  strings, _ = _generate(1, True)
  text = ["".join(SYMBOLS[t] for t in s) for s in strings]
  assert text[0] in "01234"
  assert text[1][0] == "-" and text[1][1] in "01234"
  assert text[2][0] + text[2][2] == "()"
  assert text[3][:2] + text[3][3] == "(-)"
  assert text[4][0] == "(" and text[4][2] in "+-*" and text[4][4] == ")"


def test_deterministic_per_key_and_multiplication_switch():
  first, _ = _generate(2, True)
  again, _ = _generate(2, True)
  other, _ = _generate(3, True)
  assert first == again and first != other
  without, values = _generate(4, False)
  assert all(expressions.TIMES not in s for s in without)
  assert all(_parse([int(t) for t in s]) == v for s, v in zip(without, values, strict=True))
  assert any(expressions.TIMES in s for s in first + other)
