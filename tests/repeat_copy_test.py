"""Tests for the repeat copy task (Graves et al. 2014, §4.2)."""

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
SAMPLE = jax.jit(TASK.sample, static_argnums=(1, 2))
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


@pytest.mark.parametrize("batch_size,length", [(1, 2), (3, (1, MAX_LENGTH))])
def test_shapes_and_dtypes(batch_size, length):
  batch = SAMPLE(jax.random.key(0), batch_size, length)
  max_length = length if isinstance(length, int) else length[1]
  num_steps = max_length * (1 + REPEATS[1]) + 2
  chex.assert_shape(batch.inputs, (batch_size, num_steps, BITS + 2))
  chex.assert_shape(batch.targets, (batch_size, num_steps, BITS + 1))
  chex.assert_shape(batch.mask, (batch_size, num_steps))
  chex.assert_type([batch.inputs, batch.targets, batch.mask], jnp.float32)


def test_determinism():
  a = SAMPLE(jax.random.key(1), 3, (1, MAX_LENGTH))
  b = SAMPLE(jax.random.key(1), 3, (1, MAX_LENGTH))
  c = SAMPLE(jax.random.key(2), 3, (1, MAX_LENGTH))
  chex.assert_trees_all_equal(a, b)
  assert not np.array_equal(a.inputs, c.inputs)


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


def test_range_compiles_once():
  traces = []

  @jax.jit
  def sample(key, lengths):
    traces.append(1)
    return TASK.sample_lengths(key, lengths, MAX_LENGTH)

  for seed in range(3):
    key = jax.random.key(seed)
    lengths = jax.random.randint(jax.random.fold_in(key, 1), (8,), 1, MAX_LENGTH + 1)
    batch = sample(key, lengths)
    repeats = _repeats(np.asarray(batch.inputs), np.asarray(lengths))
    np.testing.assert_array_equal(batch.mask.sum(axis=1), lengths * repeats + 1)
  assert len(traces) == 1


@pytest.mark.parametrize("length", [0, (0, 3), (5, 2)])
def test_bad_lengths_raise(length):
  with pytest.raises(ValueError):
    TASK.sample(jax.random.key(0), 2, length)


@pytest.mark.parametrize("repeats", [(0, 3), (4, 2)])
def test_bad_repeats_raise(repeats):
  with pytest.raises(ValueError, match="repeats"):
    repeat_copy.RepeatCopy(repeats=repeats)
