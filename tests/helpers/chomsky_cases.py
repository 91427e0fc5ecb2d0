"""Shared test cases for the 15 Chomsky tasks (Delétang et al. 2023, App. A).

Not a test module (pytest collects only `*_test.py`); the Chomsky test files
import it by module name, since pytest puts `tests/` on `sys.path`.

- `batch(name, seed)`: a batch of the task at every length of `lengths(name)`,
  from one jitted sampler per task (so each task compiles once per process).
- `SCORED[name](tokens)`: the scored part of the answer to an input string,
  computed in plain Python (ints, `eval`, `math.isqrt`), independently of JAX.
- `TARGETS[name](tokens)`: the whole output string, padding included, for the
  tasks whose output phase continues past a termination token.
- `OUTPUT_STEPS[name](n)`: the output-phase length for an n-token input.
"""

import functools
import math

import jax
import jax.numpy as jnp

from memnets.tasks import chomsky
from memnets.tasks.chomsky import binary_arithmetic, context_free, context_sensitive, regular

# Every length up to 17, in an order that puts the edge cases first.
LENGTHS = (1, 5, 17, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16)
MAX_LENGTH = 17
# Binary arithmetic: short lengths for the paper's edge cases, long ones for operands far
# past int64.
BINARY_LENGTHS = (1, 5, 17, 2, 3, 4, 6, 7, 8, 9, 10, 13, 31, 64, 97, 120)
BINARY_MAX_LENGTH = 120
BINARY_TASKS = ("binary_addition", "binary_multiplication", "compute_sqrt")

MODULAR_SYMBOLS = "01234+-*"
BRACKET_SYMBOLS = "01234+-*()"
EQUATION_SYMBOLS = "01234+-()x="
SEP = binary_arithmetic.SEPARATOR
END = binary_arithmetic.TERMINATION


@functools.cache
def sampler(name):
  """The task `name` and its jitted `sample_lengths` (max_length static)."""
  task = chomsky.TASKS[name]()
  return task, jax.jit(task.sample_lengths, static_argnums=2)


def max_length(name):
  return BINARY_MAX_LENGTH if name in BINARY_TASKS else MAX_LENGTH


def lengths(name):
  """The requested lengths of `batch(name)`, raised to the task's minimum."""
  task, _ = sampler(name)
  base = BINARY_LENGTHS if name in BINARY_TASKS else LENGTHS
  return tuple(max(length, task.min_length) for length in base)


def batch(name, seed=0):
  """(task, batch) with one example of each of `lengths(name)`, padded to `max_length(name)`."""
  task, sample = sampler(name)
  return task, sample(jax.random.key(seed), jnp.array(lengths(name)), max_length(name))


def input_length(name, length):
  """The decoded input length for a requested `length`: modular expressions have odd length."""
  return length - (1 - length % 2) if name == "modular_arithmetic" else length


# Regular.


def even_pairs(tokens):
  return sum(a != b for a, b in zip(tokens, tokens[1:], strict=False)) % 2


def modular_value(tokens):
  # Python's precedence is the paper's: * before + and -, left to right.
  return eval("".join(MODULAR_SYMBOLS[t] for t in tokens)) % regular.MODULUS


# Deterministic context-free.


def final_stack(tokens):
  """Full output string: final stack top to bottom, termination, zero padding."""
  stack = []
  for token in tokens:
    if token < 2:
      stack.append(token)
    elif token == context_free.POP:
      if stack:
        stack.pop()
    else:
      stack.append(token - context_free.PUSH_ZERO)
  answer = stack[::-1] + [context_free.TERMINATION]
  return answer + [0] * (len(tokens) + 1 - len(answer))


def bracket_value(text):
  # The paper's expressions are valid Python once "-" before a digit is unary.
  return eval(text) % context_free.MODULUS


def solve(tokens):
  """Tries every digit for x; the equations have exactly one solution."""
  text = "".join(EQUATION_SYMBOLS[t] for t in tokens)
  left, right = text.split("=")
  solutions = [x for x in range(5) if bracket_value(left.replace("x", str(x))) == int(right)]
  assert len(solutions) == 1, text
  return solutions[0]


# Context-sensitive.


def missing_token(tokens):
  """Recovers the hidden token from the other copy of the duplicated string."""
  if len(tokens) == 1:
    return [1]
  half = len(tokens) // 2
  hole = tokens.index(context_sensitive.PLACEHOLDER)
  return [tokens[(hole + half) % (2 * half)]]


# Binary arithmetic (context-sensitive).


def little_endian_value(bits):
  return sum(bit << k for k, bit in enumerate(bits))


def little_endian_bits(value):
  """Little-endian digits of `value`; zero has one digit, 0 (as the paper's generator writes it)."""
  return [int(c) for c in reversed(format(value, "b"))]


def operands(tokens):
  position = tokens.index(SEP)
  return little_endian_value(tokens[:position]), little_endian_value(tokens[position + 1 :])


def addition(tokens):
  """Full output string: sum bits, termination, zeros up to len + 1 (paper's format)."""
  value = sum(operands(tokens)) if SEP in tokens else little_endian_value(tokens)
  answer = little_endian_bits(value) + [END]
  return answer + [0] * (len(tokens) + 1 - len(answer))


def multiplication(tokens):
  if SEP in tokens:
    first, second = operands(tokens)
    answer = little_endian_bits(first * second) + [END]
  else:
    answer = [0] * (len(tokens) - 1) + [END]
  return answer + [0] * (len(tokens) - len(answer))


def square_root(tokens):
  root = math.isqrt(int("".join(map(str, tokens)), 2))
  return [int(c) for c in format(root, "b").zfill((len(tokens) + 1) // 2)]


def _up_to(terminated, terminator):
  """The scored prefix of a terminated output string: up to and including `terminator`."""
  return lambda tokens: terminated(tokens)[: terminated(tokens).index(terminator) + 1]


TARGETS = {
  "stack_manipulation": final_stack,
  "binary_addition": addition,
  "binary_multiplication": multiplication,
  "compute_sqrt": square_root,
}
SCORED = {
  "even_pairs": lambda tokens: [even_pairs(tokens)],
  "modular_arithmetic": lambda tokens: [modular_value(tokens)],
  "parity_check": lambda tokens: [sum(tokens) % 2],
  "cycle_navigation": lambda tokens: [sum(t - 1 for t in tokens) % regular.CYCLE_LENGTH],
  "stack_manipulation": _up_to(final_stack, context_free.TERMINATION),
  "reverse_string": lambda tokens: tokens[::-1],
  "modular_arithmetic_brackets": lambda tokens: [
    bracket_value("".join(BRACKET_SYMBOLS[t] for t in tokens))
  ],
  "solve_equation": lambda tokens: [solve(tokens)],
  "duplicate_string": lambda tokens: tokens + tokens,
  "missing_duplicate_string": missing_token,
  "odds_first": lambda tokens: tokens[0::2] + tokens[1::2],
  "bucket_sort": sorted,
  "binary_addition": _up_to(addition, END),
  "binary_multiplication": _up_to(multiplication, END),
  "compute_sqrt": square_root,
}
OUTPUT_STEPS = {
  "even_pairs": lambda n: 1,
  "modular_arithmetic": lambda n: 1,
  "parity_check": lambda n: 1,
  "cycle_navigation": lambda n: 1,
  "stack_manipulation": lambda n: n + 1,
  "reverse_string": lambda n: n,
  "modular_arithmetic_brackets": lambda n: 1,
  "solve_equation": lambda n: 1,
  "duplicate_string": lambda n: 2 * n,
  "missing_duplicate_string": lambda n: 1,
  "odds_first": lambda n: n,
  "bucket_sort": lambda n: n,
  "binary_addition": lambda n: n + 1,
  "binary_multiplication": lambda n: n,
  "compute_sqrt": lambda n: (n + 1) // 2,
}
