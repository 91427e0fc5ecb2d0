"""Tests for the priority sort task (Graves et al. 2014, §4.5)."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import priority_sort

BITS, NUM_OUTPUTS, MAX_LENGTH = 8, 4, 7
TASK = priority_sort.PrioritySort(
  num_outputs=NUM_OUTPUTS, train_lengths=(NUM_OUTPUTS, MAX_LENGTH), test_lengths=(MAX_LENGTH,)
)
SAMPLE = jax.jit(TASK.sample, static_argnums=(1, 2))
TRACES = []


@jax.jit
def sample_at_max(key, lengths):
  """The task's sampler at MAX_LENGTH, counting its traces."""
  TRACES.append(1)
  return TASK.sample_lengths(key, lengths, MAX_LENGTH)


def test_paper_sizes():
  task = priority_sort.PrioritySort()
  assert (task.input_size, task.output_size, task.loss) == (10, 8, "bits")
  assert task.num_outputs == 16 and task.train_lengths == (20, 20)
  assert task.num_steps(20) == 20 + 1 + 16


@pytest.mark.parametrize("batch_size,length", [(1, NUM_OUTPUTS), (3, (NUM_OUTPUTS, MAX_LENGTH))])
def test_shapes_and_dtypes(batch_size, length):
  batch = SAMPLE(jax.random.key(0), batch_size, length)
  max_length = length if isinstance(length, int) else length[1]
  num_steps = max_length + 1 + NUM_OUTPUTS
  chex.assert_shape(batch.inputs, (batch_size, num_steps, BITS + 2))
  chex.assert_shape(batch.targets, (batch_size, num_steps, BITS))
  chex.assert_shape(batch.mask, (batch_size, num_steps))
  chex.assert_type([batch.inputs, batch.targets, batch.mask], jnp.float32)


def test_determinism():
  lengths = jnp.array([4, 7, 5, 6])
  a = sample_at_max(jax.random.key(1), lengths)
  b = sample_at_max(jax.random.key(1), lengths)
  c = sample_at_max(jax.random.key(2), lengths)
  chex.assert_trees_all_equal(a, b)
  assert not np.array_equal(a.inputs, c.inputs)


def test_known_answer_and_mask_for_mixed_lengths():
  lengths = np.array([4, 7, 5, 6])
  inputs, targets, mask = (
    np.asarray(x) for x in sample_at_max(jax.random.key(3), jnp.asarray(lengths))
  )
  np.testing.assert_array_equal(mask.sum(axis=1), [NUM_OUTPUTS] * len(lengths))
  for i, length in enumerate(lengths):
    vectors = inputs[i, :length, :BITS]
    priorities = inputs[i, :length, BITS]
    assert np.all((priorities >= -1) & (priorities <= 1)) and np.unique(priorities).size == length
    # Delimiter at step L only; no priorities or data after the input phase.
    np.testing.assert_array_equal(np.nonzero(inputs[i, :, BITS + 1])[0], [length])
    assert not inputs[i, length + 1 :].any() and not inputs[i, length:, : BITS + 1].any()
    # Targets: the K highest-priority vectors, highest first, at steps L+1 .. L+K.
    order = np.argsort(-priorities)[:NUM_OUTPUTS]
    np.testing.assert_array_equal(np.nonzero(mask[i])[0], length + 1 + np.arange(NUM_OUTPUTS))
    np.testing.assert_array_equal(targets[i, length + 1 : length + 1 + NUM_OUTPUTS], vectors[order])
    assert not targets[i][mask[i] == 0].any()


def test_range_compiles_once():
  sample_at_max(jax.random.key(0), jnp.full((4,), MAX_LENGTH, jnp.int32))
  traces_before = len(TRACES)
  for seed in range(3):
    key = jax.random.key(seed)
    lengths = jax.random.randint(jax.random.fold_in(key, 1), (4,), NUM_OUTPUTS, MAX_LENGTH + 1)
    np.testing.assert_array_equal(sample_at_max(key, lengths).mask.sum(axis=1), [NUM_OUTPUTS] * 4)
  assert len(TRACES) == traces_before


@pytest.mark.parametrize("length", [NUM_OUTPUTS - 1, 0, (2, 6), (6, 5)])
def test_bad_lengths_raise(length):
  with pytest.raises(ValueError):
    TASK.sample(jax.random.key(0), 2, length)


def test_lengths_below_num_outputs_raise_clearly():
  with pytest.raises(ValueError, match="num_outputs"):
    priority_sort.PrioritySort().sample(jax.random.key(0), 1, 15)
  with pytest.raises(ValueError, match="num_outputs"):
    priority_sort.PrioritySort(num_outputs=30)
