"""Tests of the string-rearranging context-sensitive Chomsky tasks."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import chomsky
from memnets.tasks.chomsky import context_sensitive, encoding

NAMES = ("duplicate_string", "missing_duplicate_string", "odds_first", "bucket_sort")
LENGTHS = (1, 5, 17, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16)
MAX_LENGTH = 17


@functools.cache
def _sampler(name):
  task = chomsky.TASKS[name]()
  return task, jax.jit(task.sample_lengths, static_argnums=2)


def _batch(name, seed=0):
  task, sample = _sampler(name)
  return task, sample(jax.random.key(seed), jnp.array(LENGTHS), MAX_LENGTH)


def _missing_token(tokens):
  """Recovers the hidden token from the other copy of the duplicated string."""
  if len(tokens) == 1:
    return [1]
  half = len(tokens) // 2
  hole = tokens.index(context_sensitive.PLACEHOLDER)
  return [tokens[(hole + half) % (2 * half)]]


REFERENCES = {
  "duplicate_string": lambda tokens: tokens + tokens,
  "missing_duplicate_string": _missing_token,
  "odds_first": lambda tokens: tokens[0::2] + tokens[1::2],
  "bucket_sort": sorted,
}
OUTPUT_STEPS = {
  "duplicate_string": lambda n: 2 * n,
  "missing_duplicate_string": lambda n: 1,
  "odds_first": lambda n: n,
  "bucket_sort": lambda n: n,
}


@pytest.mark.parametrize("name", NAMES)
def test_layout_shapes_lengths_and_mask_sums(name):
  task, batch = _batch(name)
  steps = MAX_LENGTH + OUTPUT_STEPS[name](MAX_LENGTH)
  assert task.num_steps(MAX_LENGTH) == steps
  assert batch.inputs.shape == (len(LENGTHS), steps, task.input_size)
  assert batch.targets.shape == (len(LENGTHS), steps, task.output_size)
  assert batch.mask.shape == (len(LENGTHS), steps)
  examples = encoding.decode(batch)
  assert [len(e.inputs) for e in examples] == list(LENGTHS)
  assert [e.output_steps for e in examples] == [OUTPUT_STEPS[name](n) for n in LENGTHS]
  np.testing.assert_array_equal(batch.mask.sum(axis=1), [OUTPUT_STEPS[name](n) for n in LENGTHS])


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


def test_missing_duplicate_inputs_are_a_doubled_string_with_one_hole():
  _, batch = _batch("missing_duplicate_string", seed=6)
  for example in encoding.decode(batch):
    tokens = example.inputs
    if len(tokens) == 1:
      assert tokens == [1]
      continue
    half = len(tokens) // 2
    doubled = tokens[: 2 * half]
    assert doubled.count(context_sensitive.PLACEHOLDER) == 1
    assert tokens[2 * half :] == [context_sensitive.PADDING] * (len(tokens) % 2)
    filled = [example.scored[0] if t == context_sensitive.PLACEHOLDER else t for t in doubled]
    assert filled[:half] == filled[half:]


def test_odds_first_paper_examples():
  # 1-based odd positions first: 00110101 -> 0100 0111, 110 -> 10 1.
  odds_first = REFERENCES["odds_first"]
  assert odds_first([0, 0, 1, 1, 0, 1, 0, 1]) == [0, 1, 0, 0, 0, 1, 1, 1]
  assert odds_first([1, 1, 0]) == [1, 0, 1]


def test_bucket_sort_uses_five_symbols():
  task, batch = _batch("bucket_sort", seed=7)
  assert task.input_vocab_size == task.output_size == 5
  tokens = [t for e in encoding.decode(batch) for t in e.inputs]
  assert set(tokens) == set(range(5))
