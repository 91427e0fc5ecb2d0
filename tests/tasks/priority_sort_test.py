"""Tests for the priority sort task (Graves et al. 2014, §4.5).

The shape, determinism, compile-once and bad-length checks are in ntm_tasks_test.py.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import priority_sort

BITS, NUM_OUTPUTS, MAX_LENGTH = 8, 4, 7
TASK = priority_sort.PrioritySort(
  num_outputs=NUM_OUTPUTS, train_lengths=(NUM_OUTPUTS, MAX_LENGTH), test_lengths=(MAX_LENGTH,)
)


@jax.jit
def sample_at_max(key, lengths):
  """The task's sampler at MAX_LENGTH."""
  return TASK.sample_lengths(key, lengths, MAX_LENGTH)


def test_paper_sizes():
  task = priority_sort.PrioritySort()
  assert (task.input_size, task.output_size, task.loss) == (10, 8, "bits")
  assert task.num_outputs == 16 and task.train_lengths == (20, 20)
  assert task.num_steps(20) == 20 + 1 + 16


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


def test_lengths_below_num_outputs_raise_clearly():
  with pytest.raises(ValueError, match="num_outputs"):
    priority_sort.PrioritySort().sample(jax.random.key(0), 1, 15)
  with pytest.raises(ValueError, match="num_outputs"):
    priority_sort.PrioritySort(num_outputs=30)
