"""Known answers of the deterministic context-free Chomsky tasks.

The layout, determinism and reference-answer checks of every task are in
chomsky_tasks_test.
"""

import jax
import jax.numpy as jnp
import pytest
from helpers import chomsky_cases as cases

from memnets.tasks import chomsky
from memnets.tasks.chomsky import context_free, encoding


def test_stack_manipulation_targets_pad_with_zeros_after_termination():
  _, batch = cases.batch("stack_manipulation", seed=6)
  for example in encoding.decode(batch):
    assert example.targets == cases.final_stack(example.inputs)


def test_stack_manipulation_inputs_are_a_stack_then_actions():
  _, batch = cases.batch("stack_manipulation", seed=7)
  for example in encoding.decode(batch):
    tokens = example.inputs
    stack_size = next((i for i, t in enumerate(tokens) if t >= 2), len(tokens))
    assert stack_size >= 1
    assert all(t >= 2 for t in tokens[stack_size:])
    assert stack_size < len(tokens) or len(tokens) == 1


def test_stack_manipulation_paper_examples():
  # 0 1 1 0 PUSH1 POP POP -> 1 1 0 (top first); 1 1 0 POP POP POP -> empty.
  assert cases.final_stack([0, 1, 1, 0, 4, 2, 2]) == [1, 1, 0, 2, 0, 0, 0, 0]
  assert cases.final_stack([1, 1, 0, 2, 2, 2]) == [2, 0, 0, 0, 0, 0, 0]


def test_solve_equation_has_one_unknown_then_equals_and_value():
  _, batch = cases.batch("solve_equation", seed=8)
  for example in encoding.decode(batch):
    tokens = example.inputs
    assert tokens.count(context_free.UNKNOWN) == 1
    assert tokens[-2] == context_free.EQUALS
    assert tokens[-1] < context_free.MODULUS
    assert context_free.EQUALS not in tokens[:-2]


def test_brackets_use_multiplication_and_solve_equation_does_not():
  _, sample = cases.sampler("modular_arithmetic_brackets")
  longest = jnp.array((cases.MAX_LENGTH,) * len(cases.LENGTHS))
  batch = sample(jax.random.key(9), longest, cases.MAX_LENGTH)
  times = cases.BRACKET_SYMBOLS.index("*")
  assert any(times in e.inputs for e in encoding.decode(batch))
  assert "*" not in cases.EQUATION_SYMBOLS


def test_solve_equation_rejects_lengths_below_three():
  task = chomsky.TASKS["solve_equation"]()
  assert task.min_length == 3
  assert task.train_lengths == (3, 40)
  with pytest.raises(ValueError, match="minimum"):
    task.sample(jax.random.key(0), 2, 2)
