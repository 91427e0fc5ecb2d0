"""Tests of the regular Chomsky tasks: layout, determinism and known answers."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import chomsky
from memnets.tasks.chomsky import encoding, regular

NAMES = ("even_pairs", "modular_arithmetic", "parity_check", "cycle_navigation")
LENGTHS = (1, 5, 17, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16)
MAX_LENGTH = 17
SYMBOLS = "01234+-*"


@functools.cache
def _sampler(name):
  task = chomsky.TASKS[name]()
  return task, jax.jit(task.sample_lengths, static_argnums=2)


def _batch(name, seed=0):
  task, sample = _sampler(name)
  return task, sample(jax.random.key(seed), jnp.array(LENGTHS), MAX_LENGTH)


def _even_pairs(tokens):
  return sum(a != b for a, b in zip(tokens, tokens[1:], strict=False)) % 2


def _modular_value(tokens):
  # Python's precedence is the paper's: * before + and -, left to right.
  return eval("".join(SYMBOLS[t] for t in tokens)) % regular.MODULUS


REFERENCES = {
  "even_pairs": _even_pairs,
  "parity_check": lambda tokens: sum(tokens) % 2,
  "cycle_navigation": lambda tokens: sum(t - 1 for t in tokens) % regular.CYCLE_LENGTH,
  "modular_arithmetic": _modular_value,
}


@pytest.mark.parametrize("name", NAMES)
def test_layout_shapes_and_single_scored_step(name):
  task, batch = _batch(name)
  steps = MAX_LENGTH + 1
  assert batch.inputs.shape == (len(LENGTHS), steps, task.input_size)
  assert batch.targets.shape == (len(LENGTHS), steps, task.output_size)
  assert batch.mask.shape == (len(LENGTHS), steps)
  assert task.num_steps(MAX_LENGTH) == steps
  np.testing.assert_array_equal(batch.mask.sum(axis=1), 1.0)
  for length, example in zip(LENGTHS, encoding.decode(batch), strict=True):
    expected = length - (1 - length % 2) if name == "modular_arithmetic" else length
    assert len(example.inputs) == expected
    assert example.output_steps == 1
  # The scored step comes right after the input.
  first_scored = np.argmax(np.asarray(batch.mask), axis=1)
  decoded_lengths = [len(e.inputs) for e in encoding.decode(batch)]
  np.testing.assert_array_equal(first_scored, decoded_lengths)


@pytest.mark.parametrize("name", NAMES)
def test_same_key_same_batch_and_different_key_different_batch(name):
  _, first = _batch(name, seed=3)
  _, again = _batch(name, seed=3)
  _, other = _batch(name, seed=4)
  for a, b in zip(first, again, strict=True):
    np.testing.assert_array_equal(a, b)
  assert not np.array_equal(first.inputs, other.inputs)


@pytest.mark.parametrize("name", NAMES)
def test_labels_match_plain_python_reference(name):
  _, batch = _batch(name, seed=5)
  for example in encoding.decode(batch):
    assert example.scored == [REFERENCES[name](example.inputs)], example


def test_modular_arithmetic_uses_digits_and_operators_alternately():
  _, batch = _batch("modular_arithmetic", seed=6)
  for example in encoding.decode(batch):
    assert all(t < regular.MODULUS for t in example.inputs[0::2])
    assert all(t >= regular.MODULUS for t in example.inputs[1::2])


@pytest.mark.parametrize(
  "expression, value",
  [("1+2*3", 2), ("1-1-1", 4), ("0*1+4*3-2", 0), ("4", 4), ("2*3*4-1", 3), ("3-4*2", 0)],
)
def test_evaluate_modular_expression_hand_checked(expression, value):
  tokens = jnp.array([[SYMBOLS.index(c) for c in expression]])
  result = regular.evaluate_modular_expression(tokens, jnp.array([len(expression)]))
  assert int(result[0]) == value


def test_even_pairs_counts_ab_and_ba():
  # 001110 has one "01" and one "10" -> even (0); 0101001 has 5 -> odd (1).
  assert _even_pairs([0, 0, 1, 1, 1, 0]) == 0
  assert _even_pairs([0, 1, 0, 1, 0, 0, 1]) == 1


def test_fixed_length_sampling_pads_nothing():
  task = chomsky.TASKS["parity_check"]()
  batch = task.sample(jax.random.key(0), 4, 5)
  assert batch.inputs.shape == (4, 6, 3)
  assert all(len(e.inputs) == 5 for e in encoding.decode(batch))
