"""Checks every one of the 15 Chomsky tasks passes: layout, determinism, answers.

Each task is sampled at every length of `chomsky_cases.lengths(name)` in one
padded batch and decoded back to token strings (`encoding.decode`), whose
answers are compared with plain-Python references. The task-specific
known-answer tests live in the family files (`chomsky_regular_test.py`, ...).
"""

import numpy as np
import pytest
from helpers import chomsky_cases as cases

from memnets.tasks import chomsky
from memnets.tasks.chomsky import encoding

NAMES = tuple(chomsky.TASKS)


def test_cases_cover_every_task():
  assert sorted(cases.SCORED) == sorted(cases.OUTPUT_STEPS) == sorted(NAMES)
  assert set(cases.TARGETS) <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_layout_shapes_lengths_and_mask_sums(name):
  task, batch = cases.batch(name)
  lengths, max_length, output_steps = (
    cases.lengths(name),
    cases.max_length(name),
    cases.OUTPUT_STEPS[name],
  )
  steps = max_length + output_steps(max_length)
  assert task.num_steps(max_length) == steps
  assert batch.inputs.shape == (len(lengths), steps, task.input_size)
  assert batch.targets.shape == (len(lengths), steps, task.output_size)
  assert batch.mask.shape == (len(lengths), steps)
  examples = encoding.decode(batch)
  assert [len(e.inputs) for e in examples] == [cases.input_length(name, n) for n in lengths]
  assert [e.output_steps for e in examples] == [output_steps(n) for n in lengths]
  expected_sums = [len(cases.SCORED[name](e.inputs)) for e in examples]
  np.testing.assert_array_equal(batch.mask.sum(axis=1), expected_sums)
  # Scoring starts on the first step of the output phase, right after the input.
  first_scored = np.argmax(np.asarray(batch.mask), axis=1)
  np.testing.assert_array_equal(first_scored, [len(e.inputs) for e in examples])


@pytest.mark.parametrize("name", NAMES)
def test_same_key_same_batch_and_different_key_different_batch(name):
  _, first = cases.batch(name, seed=3)
  _, again = cases.batch(name, seed=3)
  _, other = cases.batch(name, seed=4)
  for a, b in zip(first, again, strict=True):
    np.testing.assert_array_equal(a, b)
  assert not np.array_equal(first.inputs, other.inputs)


@pytest.mark.parametrize("name", NAMES)
def test_answers_match_plain_python_reference(name):
  _, batch = cases.batch(name, seed=5)
  for example in encoding.decode(batch):
    assert example.scored == cases.SCORED[name](example.inputs), example
    if name in cases.TARGETS:
      assert example.targets == cases.TARGETS[name](example.inputs), example
