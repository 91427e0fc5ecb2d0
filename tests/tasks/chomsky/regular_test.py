"""Known answers of the regular Chomsky tasks (the generic checks are in chomsky_tasks_test)."""

import jax
import jax.numpy as jnp
import pytest
from helpers import chomsky_cases as cases

from memnets.tasks import chomsky
from memnets.tasks.chomsky import encoding, regular


def test_modular_arithmetic_uses_digits_and_operators_alternately():
  _, batch = cases.batch("modular_arithmetic", seed=6)
  for example in encoding.decode(batch):
    assert all(t < regular.MODULUS for t in example.inputs[0::2])
    assert all(t >= regular.MODULUS for t in example.inputs[1::2])


@pytest.mark.parametrize(
  "expression, value",
  [("1+2*3", 2), ("1-1-1", 4), ("0*1+4*3-2", 0), ("4", 4), ("2*3*4-1", 3), ("3-4*2", 0)],
)
def test_evaluate_modular_expression_hand_checked(expression, value):
  tokens = jnp.array([[cases.MODULAR_SYMBOLS.index(c) for c in expression]])
  result = regular.evaluate_modular_expression(tokens, jnp.array([len(expression)]))
  assert int(result[0]) == value


def test_even_pairs_counts_ab_and_ba():
  # 001110 has one "01" and one "10" -> even (0); 0101001 has 5 -> odd (1).
  assert cases.even_pairs([0, 0, 1, 1, 1, 0]) == 0
  assert cases.even_pairs([0, 1, 0, 1, 0, 0, 1]) == 1


def test_fixed_length_sampling_pads_nothing():
  task = chomsky.TASKS["parity_check"]()
  batch = task.sample(jax.random.key(0), 4, 5)
  assert batch.inputs.shape == (4, 6, 3)
  assert all(len(e.inputs) == 5 for e in encoding.decode(batch))
