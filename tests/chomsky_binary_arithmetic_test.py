"""Tests of binary_addition, binary_multiplication and compute_sqrt against Python ints."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import chomsky
from memnets.tasks.chomsky import binary_arithmetic, encoding

NAMES = ("binary_addition", "binary_multiplication", "compute_sqrt")
# Short lengths for the paper's edge cases, long ones for operands far past int64.
LENGTHS = (1, 5, 17, 2, 3, 4, 6, 7, 8, 9, 10, 13, 31, 64, 97, 120)
MAX_LENGTH = 120
SEP = binary_arithmetic.SEPARATOR
END = binary_arithmetic.TERMINATION


@functools.cache
def _sampler(name):
  task = chomsky.TASKS[name]()
  return task, jax.jit(task.sample_lengths, static_argnums=2)


def _batch(name, seed=0):
  task, sample = _sampler(name)
  return task, sample(jax.random.key(seed), jnp.array(LENGTHS), MAX_LENGTH)


def _little_endian_value(bits):
  return sum(bit << k for k, bit in enumerate(bits))


def _little_endian_bits(value):
  return [int(c) for c in reversed(format(value, "b"))] if value else []


def _operands(tokens):
  position = tokens.index(SEP)
  return _little_endian_value(tokens[:position]), _little_endian_value(tokens[position + 1 :])


def _addition(tokens):
  """Full output string: sum bits, termination, zeros up to len + 1 (paper's format)."""
  value = sum(_operands(tokens)) if SEP in tokens else _little_endian_value(tokens)
  answer = _little_endian_bits(value) + [END]
  return answer + [0] * (len(tokens) + 1 - len(answer))


def _multiplication(tokens):
  if SEP in tokens:
    first, second = _operands(tokens)
    answer = _little_endian_bits(first * second) + [END]
  else:
    answer = [0] * (len(tokens) - 1) + [END]
  return answer + [0] * (len(tokens) - len(answer))


def _square_root(tokens):
  root = math.isqrt(int("".join(map(str, tokens)), 2))
  return [int(c) for c in format(root, "b").zfill((len(tokens) + 1) // 2)]


FULL_OUTPUTS = {
  "binary_addition": _addition,
  "binary_multiplication": _multiplication,
  "compute_sqrt": _square_root,
}
OUTPUT_STEPS = {
  "binary_addition": lambda n: n + 1,
  "binary_multiplication": lambda n: n,
  "compute_sqrt": lambda n: (n + 1) // 2,
}


def _scored(name, tokens):
  full = FULL_OUTPUTS[name](tokens)
  return full if name == "compute_sqrt" else full[: full.index(END) + 1]


@pytest.mark.parametrize("name", NAMES)
def test_layout_shapes_lengths_and_mask_sums(name):
  task, batch = _batch(name)
  steps = MAX_LENGTH + OUTPUT_STEPS[name](MAX_LENGTH)
  assert batch.inputs.shape == (len(LENGTHS), steps, task.input_size)
  assert batch.targets.shape == (len(LENGTHS), steps, task.output_size)
  assert batch.mask.shape == (len(LENGTHS), steps)
  examples = encoding.decode(batch)
  assert [len(e.inputs) for e in examples] == list(LENGTHS)
  assert [e.output_steps for e in examples] == [OUTPUT_STEPS[name](n) for n in LENGTHS]
  expected_sums = [len(_scored(name, e.inputs)) for e in examples]
  np.testing.assert_array_equal(batch.mask.sum(axis=1), expected_sums)


@pytest.mark.parametrize("name", NAMES)
def test_same_key_same_batch_and_different_key_different_batch(name):
  _, first = _batch(name, seed=3)
  _, again = _batch(name, seed=3)
  _, other = _batch(name, seed=4)
  for a, b in zip(first, again, strict=True):
    np.testing.assert_array_equal(a, b)
  assert not np.array_equal(first.inputs, other.inputs)


@pytest.mark.parametrize("name", NAMES)
def test_outputs_match_python_integers(name):
  _, batch = _batch(name, seed=5)
  for example in encoding.decode(batch):
    assert example.targets == FULL_OUTPUTS[name](example.inputs), example
    assert example.scored == _scored(name, example.inputs), example


@pytest.mark.parametrize("name", ("binary_addition", "binary_multiplication"))
def test_expressions_are_two_nonzero_numbers_around_one_separator(name):
  _, batch = _batch(name, seed=6)
  for example in encoding.decode(batch):
    tokens = example.inputs
    if len(tokens) < binary_arithmetic.SHORTEST_EXPRESSION:
      # The paper's short inputs: a single number below 2**length - 1, no separator.
      assert SEP not in tokens and _little_endian_value(tokens) < 2 ** len(tokens) - 1
      continue
    assert tokens.count(SEP) == 1
    first, second = _operands(tokens)
    assert first > 0 and second > 0


def test_compute_sqrt_numbers_are_nonzero():
  _, batch = _batch("compute_sqrt", seed=7)
  assert all(1 in e.inputs for e in encoding.decode(batch))


def test_paper_examples():
  # 001 + 01101 (4 + 22 = 26) -> 01011 then termination; 9 * 32 = 288.
  assert _addition([0, 0, 1, SEP, 0, 1, 1, 0, 1])[:6] == [0, 1, 0, 1, 1, END]
  assert _multiplication([1, 0, 0, 1, SEP, 0, 0, 0, 0, 0, 1])[:10] == (
    [0, 0, 0, 0, 0, 1, 0, 0, 1, END]
  )
  assert _square_root([1, 0, 0, 1, 0, 1]) == [1, 1, 0]  # floor(sqrt(37)) = 6
