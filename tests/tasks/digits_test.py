"""Tests for `memnets.tasks.digits`: scikit-learn's 8x8 digits as row and pixel sequences."""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from experiments.configs import digits_rows
from memnets import tasks, training
from memnets.tasks import digits

ROWS, PIXELS = 8, 64  # T of the two scans


@functools.cache
def _task(scan="rows"):
  """The task and its jitted `sample` (batch size and length static), built once per scan."""
  task = tasks.get("digits", scan=scan)
  return task, jax.jit(task.sample, static_argnums=(1, 2))


def _codes(images) -> np.ndarray:
  """One number per image (a fixed random projection): equal images, equal codes."""
  flat = np.asarray(images, np.float64).reshape(len(images), -1)
  return flat @ np.random.default_rng(0).normal(size=digits.NUM_PIXELS)


def test_the_loader_gives_1437_training_and_360_test_images_scaled_to_unit_range():
  splits = digits.load()
  assert splits["train"].images.shape == (1437, 8, 8) and splits["test"].images.shape == (360, 8, 8)
  for split in splits.values():
    assert split.images.dtype == np.float32 and split.labels.dtype == np.int32
    assert split.images.min() == 0.0 and split.images.max() == 1.0
    assert set(split.labels.tolist()) == set(range(digits.NUM_CLASSES))


def test_the_split_is_disjoint_covers_every_image_and_is_fixed():
  train, test = digits.split_indices()
  assert len(set(train.tolist()) & set(test.tolist())) == 0
  assert sorted([*train.tolist(), *test.tolist()]) == list(range(digits.NUM_IMAGES))
  np.testing.assert_array_equal(digits.load()["test"].indices, test)
  # Pinned: a change of the split (seed, generator) would silently change every result.
  assert test[:5].tolist() == [360, 1773, 1482, 600, 850] and int(test.sum()) == 339627


def test_row_batches_are_test_images_labelled_at_the_last_step_only():
  task, sample = _task()
  batch = sample(jax.random.key(0), 16, ROWS)
  assert batch.inputs.shape == (16, ROWS, 8) and batch.targets.shape == (16, ROWS, 10)
  np.testing.assert_array_equal(batch.mask, np.tile([0, 0, 0, 0, 0, 0, 0, 1], (16, 1)))
  np.testing.assert_array_equal(batch.targets[:, :-1], 0.0)
  test = digits.load()["test"]
  position = [int(np.flatnonzero(_codes(test.images) == code)[0]) for code in _codes(batch.inputs)]
  np.testing.assert_array_equal(batch.inputs, test.images[position])
  np.testing.assert_array_equal(np.argmax(batch.targets[:, -1], -1), test.labels[position])
  np.testing.assert_array_equal(batch.targets[:, -1].sum(-1), 1.0)


def test_the_pixel_scan_reads_the_same_images_one_pixel_a_step_in_row_major_order():
  rows_task, sample_rows = _task("rows")
  pixels_task, sample_pixels = _task("pixels")
  assert (pixels_task.input_size, pixels_task.num_steps(PIXELS)) == (1, PIXELS)
  key = jax.random.key(3)
  rows, pixels = sample_rows(key, 8, ROWS), sample_pixels(key, 8, PIXELS)
  assert pixels.inputs.shape == (8, PIXELS, 1)
  np.testing.assert_array_equal(pixels.inputs.reshape(8, 8, 8), rows.inputs)
  np.testing.assert_array_equal(pixels.targets[:, -1], rows.targets[:, -1])
  np.testing.assert_array_equal(pixels.mask.sum(1), 1.0)
  assert float(pixels.mask[0, -1]) == 1.0


def test_an_evaluation_batch_of_360_is_every_test_image_once():
  _, sample = _task()
  batch = sample(jax.random.key(1), digits.NUM_TEST, ROWS)
  expected = np.sort(_codes(digits.load()["test"].images))
  np.testing.assert_array_equal(np.sort(_codes(batch.inputs)), expected)


def test_training_batches_come_from_the_training_split_and_vary_with_the_key():
  task, _ = _task()
  lengths = jnp.full((256,), ROWS)
  sample = jax.jit(task.sample_train_lengths, static_argnums=2)
  batch = sample(jax.random.key(0), lengths, ROWS)
  assert set(_codes(batch.inputs).tolist()) <= set(_codes(digits.load()["train"].images).tolist())
  np.testing.assert_array_equal(batch.mask[:, -1], 1.0)
  other = sample(jax.random.key(1), lengths, ROWS)
  assert not np.array_equal(batch.inputs, other.inputs)


def test_the_only_accepted_length_is_the_scans_and_an_unknown_scan_is_named():
  rows_task, _ = _task("rows")
  pixels_task, _ = _task("pixels")
  rows_task.check_length(ROWS)
  pixels_task.check_length(PIXELS)
  with pytest.raises(ValueError, match="length 9 is not the 8 steps of the 'rows' scan"):
    rows_task.check_length(9)
  with pytest.raises(ValueError, match="length 8 is not the 64 steps"):
    pixels_task.sample(jax.random.key(0), 2, ROWS)
  with pytest.raises(ValueError, match="scan: unknown scan 'columns'"):
    tasks.get("digits", scan="columns")


def test_the_config_variants_validate_with_the_scans_length():
  for arg, length in (("", ROWS), ("pixels", PIXELS), ("pixels,smoke", PIXELS)):
    config = training.config.from_mapping(digits_rows.get_config(arg))
    training.config.validate(config)
    assert config.task.max_length == config.task.eval_lengths[0] == length
  with pytest.raises(ValueError, match="unknown config variant 'colour'"):
    digits_rows.get_config("smoke,colour")


def test_a_hundred_steps_of_a_row_lstm_classify_the_test_images_well_above_chance(tmp_path):
  config = digits_rows.get_config("smoke")
  config.model.hidden_size = 32
  config.optimizer.learning_rate = 1e-2
  config.train.steps = 100
  config.train.batch_size = 32
  config.train.steps_per_call = config.train.log_every = config.train.checkpoint_every = 100
  config.train.eval_every = 0  # only the final evaluation: every test image
  summary = training.train_and_evaluate(config, tmp_path)
  assert summary["step"] == 100
  assert summary["token_accuracy/mean"] == summary["sequence_accuracy/mean"] > 0.5  # chance: 0.1
