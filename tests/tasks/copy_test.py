"""Tests for the copy task (Graves et al. 2014, §4.1).

The shape, determinism, compile-once and bad-length checks of all five tasks of
§4 are in ntm_tasks_test.py. Batches come from one jitted sampler with few
distinct shapes, so the file compiles only a handful of programs.
"""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import copy

TASK = copy.Copy()
SAMPLE_LENGTHS = jax.jit(TASK.sample_lengths, static_argnums=2)
MAX_LENGTH = 6


def test_paper_sizes():
  assert (TASK.input_size, TASK.output_size, TASK.loss) == (9, 8, "bits")
  assert TASK.train_lengths == (1, 20)
  assert TASK.num_steps(20) == 41


def test_mask_and_padding_for_mixed_lengths():
  lengths = np.array([1, 3, 6, 2])
  inputs, targets, mask = (
    np.asarray(x) for x in SAMPLE_LENGTHS(jax.random.key(3), jnp.asarray(lengths), MAX_LENGTH)
  )
  np.testing.assert_array_equal(mask.sum(axis=1), lengths)
  for i, length in enumerate(lengths):
    # Only the delimiter step carries the delimiter flag.
    np.testing.assert_array_equal(np.nonzero(inputs[i, :, -1])[0], [length])
    # Nothing is input after the delimiter; nothing is a target outside the mask.
    assert not inputs[i, length + 1 :].any()
    assert not targets[i][mask[i] == 0].any()
    np.testing.assert_array_equal(np.nonzero(mask[i])[0], np.arange(length + 1, 2 * length + 1))


def test_targets_are_the_input_sequence():
  lengths = np.array([6, 2, 4, 1])
  batch = SAMPLE_LENGTHS(jax.random.key(4), jnp.asarray(lengths), MAX_LENGTH)
  for i, length in enumerate(lengths):
    shown = batch.inputs[i, :length, :8]
    np.testing.assert_array_equal(batch.targets[i, length + 1 : 2 * length + 1], shown)
  assert set(np.unique(batch.inputs[..., :8])) <= {0.0, 1.0}
  # Bits are Bernoulli(1/2): the fraction of ones over 4 * 6 * 8 bits is near 1/2.
  full = SAMPLE_LENGTHS(jax.random.key(5), jnp.full((4,), MAX_LENGTH, jnp.int32), MAX_LENGTH)
  assert 0.35 < float(full.targets.sum() / (8 * full.mask.sum())) < 0.65


def test_custom_bits():
  batch = copy.Copy(bits=3).sample(jax.random.key(0), 2, 1)
  chex.assert_shape(batch.inputs, (2, 3, 4))
  chex.assert_shape(batch.targets, (2, 3, 3))


def test_bad_bits_raise():
  with pytest.raises(ValueError, match="bits"):
    copy.Copy(bits=0)


def test_zero_vector_rate_zeroes_training_vectors_only_and_keeps_the_layout():
  task = copy.Copy(zero_vector_rate=0.5)
  key, lengths = jax.random.key(7), jnp.full((64,), MAX_LENGTH, jnp.int32)
  train = jax.jit(task.sample_train_lengths, static_argnums=2)(key, lengths, MAX_LENGTH)
  plain = SAMPLE_LENGTHS(key, lengths, MAX_LENGTH)
  # Evaluation batches are the paper's; training batches are the same draw, some vectors zeroed.
  chex.assert_trees_all_equal(
    jax.jit(task.sample_lengths, static_argnums=2)(key, lengths, MAX_LENGTH), plain
  )
  zeroed = ~train.inputs[:, :MAX_LENGTH, :8].any(-1) & plain.inputs[:, :MAX_LENGTH, :8].any(-1)
  assert 0.4 < float(zeroed.mean()) < 0.6
  kept = ~zeroed[..., None]
  np.testing.assert_array_equal(
    train.inputs[:, :MAX_LENGTH, :8], plain.inputs[:, :MAX_LENGTH, :8] * kept
  )
  # The targets still copy the (zeroed) inputs; mask and delimiter are unchanged.
  np.testing.assert_array_equal(
    train.targets[:, MAX_LENGTH + 1 :], train.inputs[:, :MAX_LENGTH, :8]
  )
  np.testing.assert_array_equal(train.mask, plain.mask)
  np.testing.assert_array_equal(train.inputs[..., 8], plain.inputs[..., 8])


def test_zero_vector_rate_zero_trains_on_the_papers_batches():
  key, lengths = jax.random.key(8), jnp.array([3, 6])
  chex.assert_trees_all_equal(
    TASK.sample_train_lengths(key, lengths, MAX_LENGTH),
    TASK.sample_lengths(key, lengths, MAX_LENGTH),
  )
  with pytest.raises(ValueError, match="zero_vector_rate must be in"):
    copy.Copy(zero_vector_rate=1.0)
