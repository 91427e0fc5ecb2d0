"""Tests for the repeat copy task (Graves et al. 2014, §4.2).

The shape, determinism, compile-once and bad-length checks are in ntm_tasks_test.py.
"""

import math

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import repeat_copy

BITS = 4
REPEATS = (1, 3)
MAX_LENGTH = 4
TASK = repeat_copy.RepeatCopy(bits=BITS, repeats=REPEATS)
SAMPLE_LENGTHS = jax.jit(TASK.sample_lengths, static_argnums=2)


def _repeats(inputs_BxTxI, lengths):
  """Recovers the repeat counts from the normalised repeat channel."""
  values = inputs_BxTxI[np.arange(len(lengths)), lengths, -1]
  return np.rint(values * TASK.repeat_std + TASK.repeat_mean).astype(int)


def test_paper_sizes():
  task = repeat_copy.RepeatCopy()
  assert (task.input_size, task.output_size, task.loss) == (10, 9, "bits")
  assert task.repeats == (1, 10) and task.train_lengths == (1, 10)
  # Counts uniform on 1..10: mean 5.5, variance 8.25.
  assert task.repeat_mean == 5.5
  assert math.isclose(task.repeat_std, math.sqrt(8.25))
  assert task.num_steps(10) == 10 + 1 + 100 + 1


def test_normalisation_has_zero_mean_unit_variance():
  counts = jnp.arange(1, 11)
  values = repeat_copy.RepeatCopy().normalise(counts)
  np.testing.assert_allclose(values.mean(), 0.0, atol=1e-6)
  np.testing.assert_allclose(values.var(), 1.0, rtol=1e-5)
  # Evaluation with more repeats keeps the training normalisation.
  wide = repeat_copy.RepeatCopy(repeats=(1, 20), normalise_with=(1, 10))
  assert wide.repeat_mean == 5.5 and wide.num_steps(10) == 10 + 1 + 200 + 1


def test_known_answer_and_mask_for_mixed_lengths():
  lengths = np.array([1, 4, 2, 3, 4, 1, 2, 3])
  batch = SAMPLE_LENGTHS(jax.random.key(4), jnp.asarray(lengths), MAX_LENGTH)
  inputs, targets, mask = (np.asarray(x) for x in batch)
  repeats = _repeats(inputs, lengths)
  assert set(repeats) <= set(range(REPEATS[0], REPEATS[1] + 1))
  assert len(set(repeats)) > 1  # counts are drawn per example
  np.testing.assert_array_equal(mask.sum(axis=1), lengths * repeats + 1)
  for i, (length, count) in enumerate(zip(lengths, repeats, strict=True)):
    sequence = inputs[i, :length, :BITS]
    end = length + 1 + length * count
    # Delimiter only at step L; the repeat value only there too.
    np.testing.assert_array_equal(np.nonzero(inputs[i, :, BITS])[0], [length])
    assert not inputs[i, length + 1 :].any()
    # The sequence repeated `count` times, then the end marker, then nothing.
    np.testing.assert_array_equal(
      targets[i, length + 1 : end, :BITS], np.tile(sequence, (count, 1))
    )
    assert not targets[i, :end, BITS].any()
    np.testing.assert_array_equal(targets[i, end], [0] * BITS + [1])
    assert not targets[i, end + 1 :].any()
    np.testing.assert_array_equal(np.nonzero(mask[i])[0], np.arange(length + 1, end + 1))


@pytest.mark.parametrize("repeats", [(0, 3), (4, 2)])
def test_bad_repeats_raise(repeats):
  with pytest.raises(ValueError, match="repeats"):
    repeat_copy.RepeatCopy(repeats=repeats)


def test_deepmind_layout_has_a_start_marker_the_count_over_norm_max_and_copies_after_it():
  """deepmind/dnc's layout for L = 2, R = 3: start, x0, x1, count, 6 copies, end marker."""
  task = repeat_copy.RepeatCopy(bits=3, repeats=(3, 3), layout="deepmind")
  assert task.num_steps(2) == 2 * (1 + 3) + 3 == 11
  batch = task.sample_lengths(jax.random.key(0), jnp.array([2, 1]), 2)
  chex.assert_shape(batch.inputs, (2, 11, 5))
  inputs, targets, mask = (np.asarray(x[0]) for x in batch)
  np.testing.assert_array_equal(inputs[:, 3], np.eye(11)[0])  # the start marker at t = 0
  np.testing.assert_allclose(inputs[:, 4], 0.3 * np.eye(11)[3])  # count 3 / norm_max 10
  pattern = inputs[1:3, :3]
  assert not inputs[3:, :3].any() and not inputs[0, :3].any()
  np.testing.assert_array_equal(targets[4:10, :3], np.tile(pattern, (3, 1)))
  np.testing.assert_array_equal(targets[:, 3], np.eye(11)[10])  # the end marker
  np.testing.assert_array_equal(mask, (np.arange(11) >= 4).astype(np.float32))
  with pytest.raises(ValueError, match="unknown layout 'dnc'"):
    repeat_copy.RepeatCopy(layout="dnc")
