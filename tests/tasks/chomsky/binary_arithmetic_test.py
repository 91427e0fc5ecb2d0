"""Known answers of binary_addition, binary_multiplication and compute_sqrt.

The layout, determinism and Python-integer answer checks of every task are in
chomsky_tasks_test.
"""

import jax
import jax.numpy as jnp
import pytest
from helpers import chomsky_cases as cases

from memnets.tasks.chomsky import binary_arithmetic, encoding

SEP, END = cases.SEP, cases.END


@pytest.mark.parametrize("name", ("binary_addition", "binary_multiplication"))
def test_expressions_are_two_nonzero_numbers_around_one_separator(name):
  _, batch = cases.batch(name, seed=6)
  for example in encoding.decode(batch):
    tokens = example.inputs
    if len(tokens) < binary_arithmetic.SHORTEST_EXPRESSION:
      # The paper's short inputs: a single number below 2**length - 1, no separator.
      assert SEP not in tokens and cases.little_endian_value(tokens) < 2 ** len(tokens) - 1
      continue
    assert tokens.count(SEP) == 1
    first, second = cases.operands(tokens)
    assert first > 0 and second > 0


@pytest.mark.parametrize("length", (1, 2))
def test_a_zero_sum_is_the_digit_zero_then_the_termination(length):
  _, sample = cases.sampler("binary_addition")
  for seed in range(40):  # x ~ U[0, 2**length - 2]: zero is drawn often
    batch = sample(jax.random.key(seed), jnp.full((8,), length), 4)
    for example in encoding.decode(batch):
      if cases.little_endian_value(example.inputs) == 0:
        assert example.scored == [0, END]
        return
  raise AssertionError("no zero drawn")


def test_compute_sqrt_numbers_are_nonzero():
  _, batch = cases.batch("compute_sqrt", seed=7)
  assert all(1 in e.inputs for e in encoding.decode(batch))


def test_paper_examples():
  # 001 + 01101 (4 + 22 = 26) -> 01011 then termination; 9 * 32 = 288.
  assert cases.addition([0, 0, 1, SEP, 0, 1, 1, 0, 1])[:6] == [0, 1, 0, 1, 1, END]
  assert cases.multiplication([1, 0, 0, 1, SEP, 0, 0, 0, 0, 0, 1])[:10] == (
    [0, 0, 0, 0, 0, 1, 0, 0, 1, END]
  )
  assert cases.square_root([1, 0, 0, 1, 0, 1]) == [1, 1, 0]  # floor(sqrt(37)) = 6
