"""Tests of the deterministic context-free Chomsky tasks: layout, determinism, answers."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import chomsky
from memnets.tasks.chomsky import context_free, encoding

NAMES = ("stack_manipulation", "reverse_string", "modular_arithmetic_brackets", "solve_equation")
LENGTHS = (1, 5, 17, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16)
MAX_LENGTH = 17
BRACKET_SYMBOLS = "01234+-*()"
EQUATION_SYMBOLS = "01234+-()x="


@functools.cache
def _sampler(name):
  task = chomsky.TASKS[name]()
  return task, jax.jit(task.sample_lengths, static_argnums=2)


def _lengths(task):
  return tuple(max(length, task.min_length) for length in LENGTHS)


def _batch(name, seed=0):
  task, sample = _sampler(name)
  return task, sample(jax.random.key(seed), jnp.array(_lengths(task)), MAX_LENGTH)


def _final_stack(tokens):
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


def _bracket_value(text):
  # The paper's expressions are valid Python once "-" before a digit is unary.
  return eval(text) % context_free.MODULUS


def _solve(tokens):
  """Tries every digit for x; the equations have exactly one solution."""
  text = "".join(EQUATION_SYMBOLS[t] for t in tokens)
  left, right = text.split("=")
  solutions = [x for x in range(5) if _bracket_value(left.replace("x", str(x))) == int(right)]
  assert len(solutions) == 1, text
  return solutions[0]


REFERENCES = {
  "stack_manipulation": lambda tokens: _final_stack(tokens)[: _final_stack(tokens).index(2) + 1],
  "reverse_string": lambda tokens: tokens[::-1],
  "modular_arithmetic_brackets": lambda tokens: [
    _bracket_value("".join(BRACKET_SYMBOLS[t] for t in tokens))
  ],
  "solve_equation": lambda tokens: [_solve(tokens)],
}
OUTPUT_STEPS = {
  "stack_manipulation": lambda n: n + 1,
  "reverse_string": lambda n: n,
  "modular_arithmetic_brackets": lambda n: 1,
  "solve_equation": lambda n: 1,
}


@pytest.mark.parametrize("name", NAMES)
def test_layout_shapes_lengths_and_mask_sums(name):
  task, batch = _batch(name)
  steps = MAX_LENGTH + task.output_length(MAX_LENGTH)
  assert batch.inputs.shape == (len(LENGTHS), steps, task.input_size)
  assert batch.targets.shape == (len(LENGTHS), steps, task.output_size)
  assert batch.mask.shape == (len(LENGTHS), steps)
  examples = encoding.decode(batch)
  assert [len(e.inputs) for e in examples] == list(_lengths(task))
  assert [e.output_steps for e in examples] == [OUTPUT_STEPS[name](n) for n in _lengths(task)]
  expected_sums = [len(REFERENCES[name](e.inputs)) for e in examples]
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
def test_answers_match_plain_python_reference(name):
  _, batch = _batch(name, seed=5)
  for example in encoding.decode(batch):
    assert example.scored == REFERENCES[name](example.inputs), example


def test_stack_manipulation_targets_pad_with_zeros_after_termination():
  _, batch = _batch("stack_manipulation", seed=6)
  for example in encoding.decode(batch):
    assert example.targets == _final_stack(example.inputs)


def test_stack_manipulation_inputs_are_a_stack_then_actions():
  _, batch = _batch("stack_manipulation", seed=7)
  for example in encoding.decode(batch):
    tokens = example.inputs
    stack_size = next((i for i, t in enumerate(tokens) if t >= 2), len(tokens))
    assert stack_size >= 1
    assert all(t >= 2 for t in tokens[stack_size:])
    assert stack_size < len(tokens) or len(tokens) == 1


def test_stack_manipulation_paper_examples():
  # 0 1 1 0 PUSH1 POP POP -> 1 1 0 (top first); 1 1 0 POP POP POP -> empty.
  assert _final_stack([0, 1, 1, 0, 4, 2, 2]) == [1, 1, 0, 2, 0, 0, 0, 0]
  assert _final_stack([1, 1, 0, 2, 2, 2]) == [2, 0, 0, 0, 0, 0, 0]


def test_solve_equation_has_one_unknown_then_equals_and_value():
  _, batch = _batch("solve_equation", seed=8)
  for example in encoding.decode(batch):
    tokens = example.inputs
    assert tokens.count(context_free.UNKNOWN) == 1
    assert tokens[-2] == context_free.EQUALS
    assert tokens[-1] < context_free.MODULUS
    assert context_free.EQUALS not in tokens[:-2]


def test_brackets_use_multiplication_and_solve_equation_does_not():
  task, sample = _sampler("modular_arithmetic_brackets")
  batch = sample(jax.random.key(9), jnp.array((MAX_LENGTH,) * len(LENGTHS)), MAX_LENGTH)
  times = BRACKET_SYMBOLS.index("*")
  assert any(times in e.inputs for e in encoding.decode(batch))
  assert "*" not in EQUATION_SYMBOLS


def test_solve_equation_rejects_lengths_below_three():
  task = chomsky.TASKS["solve_equation"]()
  assert task.min_length == 3
  assert task.train_lengths == (3, 40)
  with pytest.raises(ValueError, match="minimum"):
    task.sample(jax.random.key(0), 2, 2)
