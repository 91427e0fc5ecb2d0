"""Generic checks of the tasks of Graves et al. 2014 §4: shapes, determinism, one compile, lengths.

Copy (§4.1), repeat copy (§4.2), associative recall (§4.3), dynamic N-grams
(§4.4) and priority sort (§4.5), each in a small setting. The tasks' own
known-answer tests live in `<task>_test.py`.
"""

import functools
from collections.abc import Callable
from typing import NamedTuple

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import associative_recall, base, copy, ngrams, priority_sort, repeat_copy


class Case(NamedTuple):
  """One task in a small setting and what its batches must look like.

  task: the task.
  fixed_length: an exact length sampled with batch size 1.
  length_range: the (min, max) range sampled with a larger batch.
  num_steps: T for inputs padded to a given maximal length (written out by hand).
  input_size, output_size: I and O.
  batch_size: batch size of the range samples.
  scored_steps: expected mask sums [B] of a batch from its inputs [B, T, I] and lengths [B].
  bad_lengths: lengths that `sample` must reject.
  """

  task: base.Task
  fixed_length: int
  length_range: tuple[int, int]
  num_steps: Callable[[int], int]
  input_size: int
  output_size: int
  batch_size: int
  scored_steps: Callable[[np.ndarray, np.ndarray], np.ndarray]
  bad_lengths: tuple


REPEAT_COPY = repeat_copy.RepeatCopy(bits=4, repeats=(1, 3))


def _repeat_copy_scored(inputs_BxTxI, lengths_B):
  """Repeat count times length plus the end marker; counts read from the repeat channel."""
  values = inputs_BxTxI[np.arange(len(lengths_B)), lengths_B, -1]
  repeats = np.rint(values * REPEAT_COPY.repeat_std + REPEAT_COPY.repeat_mean).astype(int)
  return lengths_B * repeats + 1


CASES = {
  "copy": Case(
    task=copy.Copy(),
    fixed_length=2,
    length_range=(1, 6),
    num_steps=lambda length: 2 * length + 1,
    input_size=9,
    output_size=8,
    batch_size=4,
    scored_steps=lambda inputs, lengths: lengths,
    bad_lengths=(0, -1, (0, 3), (5, 2)),
  ),
  "repeat_copy": Case(
    task=REPEAT_COPY,
    fixed_length=2,
    length_range=(1, 4),
    num_steps=lambda length: length * (1 + 3) + 2,
    input_size=4 + 2,
    output_size=4 + 1,
    batch_size=8,
    scored_steps=_repeat_copy_scored,
    bad_lengths=(0, (0, 3), (5, 2)),
  ),
  "associative_recall": Case(
    task=associative_recall.AssociativeRecall(),
    fixed_length=2,
    length_range=(2, 5),
    num_steps=lambda items: 4 * items + 8,
    input_size=6 + 2,
    output_size=6,
    batch_size=6,
    scored_steps=lambda inputs, lengths: np.full(len(lengths), 3),
    bad_lengths=(1, 0, (1, 4), (5, 3)),
  ),
  "ngrams": Case(
    task=ngrams.NGrams(),
    fixed_length=6,
    length_range=(6, 40),
    num_steps=lambda length: length - 1,
    input_size=1,
    output_size=1,
    batch_size=3,
    scored_steps=lambda inputs, lengths: lengths - 5,
    bad_lengths=(5, 0, (3, 10), (10, 8)),
  ),
  "priority_sort": Case(
    task=priority_sort.PrioritySort(num_outputs=4, train_lengths=(4, 7), test_lengths=(7,)),
    fixed_length=4,
    length_range=(4, 7),
    num_steps=lambda length: length + 1 + 4,
    input_size=8 + 2,
    output_size=8,
    batch_size=4,
    scored_steps=lambda inputs, lengths: np.full(len(lengths), 4),
    bad_lengths=(3, 0, (2, 6), (6, 5)),
  ),
}
BAD_LENGTHS = [(name, length) for name, case in CASES.items() for length in case.bad_lengths]


@functools.cache
def _sampler(name):
  """The jitted `sample` of task `name` (batch size and length static)."""
  return jax.jit(CASES[name].task.sample, static_argnums=(1, 2))


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("fixed", [True, False], ids=["fixed_length", "length_range"])
def test_shapes_and_dtypes(name, fixed):
  case = CASES[name]
  batch_size, length = (1, case.fixed_length) if fixed else (case.batch_size, case.length_range)
  batch = _sampler(name)(jax.random.key(0), batch_size, length)
  num_steps = case.num_steps(case.fixed_length if fixed else case.length_range[1])
  chex.assert_shape(batch.inputs, (batch_size, num_steps, case.input_size))
  chex.assert_shape(batch.targets, (batch_size, num_steps, case.output_size))
  chex.assert_shape(batch.mask, (batch_size, num_steps))
  chex.assert_type([batch.inputs, batch.targets, batch.mask], jnp.float32)


@pytest.mark.parametrize("name", CASES)
def test_same_key_same_batch_and_different_key_different_batch(name):
  case, sample = CASES[name], _sampler(name)
  a = sample(jax.random.key(1), case.batch_size, case.length_range)
  b = sample(jax.random.key(1), case.batch_size, case.length_range)
  c = sample(jax.random.key(2), case.batch_size, case.length_range)
  chex.assert_trees_all_equal(a, b)
  assert not np.array_equal(a.inputs, c.inputs)


@pytest.mark.parametrize("name", CASES)
def test_range_compiles_once(name):
  case = CASES[name]
  low, high = case.length_range
  traces = []

  @jax.jit
  def sample(key, lengths):
    traces.append(1)
    return case.task.sample_lengths(key, lengths, high)

  for seed in range(3):
    key = jax.random.key(seed)
    lengths = jax.random.randint(jax.random.fold_in(key, 1), (case.batch_size,), low, high + 1)
    batch = sample(key, lengths)
    expected = case.scored_steps(np.asarray(batch.inputs), np.asarray(lengths))
    np.testing.assert_array_equal(batch.mask.sum(axis=1), expected)
  assert len(traces) == 1


@pytest.mark.parametrize("name, length", BAD_LENGTHS)
def test_bad_lengths_raise(name, length):
  with pytest.raises(ValueError):
    CASES[name].task.sample(jax.random.key(0), 2, length)
