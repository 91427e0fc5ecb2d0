"""Tests for the length curricula."""

import dataclasses
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import copy, curriculum

BATCH = 512


@functools.partial(jax.jit, static_argnums=0)
def lengths_at(schedule, step, key):
  """`schedule(step, key, BATCH)` jitted, with `step` traced."""
  return schedule(step, key, BATCH)


def _lengths(schedule, step=0, seed=0):
  return np.asarray(lengths_at(schedule, jnp.asarray(step), jax.random.key(seed)))


def test_fixed():
  schedule = curriculum.Fixed(7)
  assert schedule.max_length == 7
  lengths = _lengths(schedule, step=123)
  assert lengths.dtype == np.int32 and lengths.shape == (BATCH,)
  np.testing.assert_array_equal(lengths, 7)


def test_uniform_covers_the_closed_range_and_is_deterministic():
  schedule = curriculum.Uniform(3, 6)
  lengths = _lengths(schedule)
  assert lengths.dtype == np.int32 and lengths.shape == (BATCH,)
  np.testing.assert_array_equal(np.unique(lengths), [3, 4, 5, 6])
  np.testing.assert_array_equal(lengths, _lengths(schedule))
  assert not np.array_equal(lengths, _lengths(schedule, seed=1))


def test_regular_increase_grows_then_caps():
  schedule = curriculum.RegularIncrease(2, 10, step_interval=100, increase_amount=3)
  assert schedule.max_length == 10
  # upper(step) = min(2 + 3 * (step // 100), 10).
  for step, upper in [(0, 2), (99, 2), (100, 5), (250, 8), (300, 10), (10_000, 10)]:
    assert int(schedule.upper(step)) == upper
    lengths = _lengths(schedule, step=step)
    assert lengths.min() == 2 and lengths.max() == upper
  np.testing.assert_array_equal(_lengths(schedule, step=250), _lengths(schedule, step=250))


def test_reverse_exponential_matches_its_distribution():
  schedule = curriculum.ReverseExponential(1, 5, decay=0.5)
  expected = 0.5 ** np.arange(1, 6)
  expected /= expected.sum()
  np.testing.assert_allclose(np.exp(schedule.log_probabilities()), expected, rtol=1e-5)
  lengths = _lengths(schedule)
  assert lengths.min() >= 1 and lengths.max() <= 5
  frequencies = np.bincount(lengths, minlength=6)[1:] / BATCH
  np.testing.assert_allclose(frequencies, expected, atol=0.06)
  # Shorter lengths are more likely for decay < 1.
  assert frequencies[0] > frequencies[2] > frequencies[4]


def test_step_is_traced_so_a_schedule_compiles_once():
  traces = []
  schedule = curriculum.RegularIncrease(1, 4, step_interval=2)

  @jax.jit
  def lengths(step, key):
    traces.append(1)
    return schedule(step, key, 8)

  uppers = [int(lengths(jnp.asarray(step), jax.random.key(step)).max()) for step in range(8)]
  assert len(traces) == 1
  assert uppers == sorted(uppers) and uppers[-1] <= 4


def test_batches_from_a_curriculum_have_its_lengths():
  task = copy.Copy(bits=2)
  schedule = curriculum.Uniform(1, 4)
  lengths = schedule(0, jax.random.key(0), 4)
  sample = jax.jit(task.sample_lengths, static_argnums=2)
  batch = sample(jax.random.key(1), lengths, schedule.max_length)
  assert batch.inputs.shape == (4, task.num_steps(4), 3)
  np.testing.assert_array_equal(batch.mask.sum(axis=1), lengths)


def test_curricula_are_frozen_and_hashable():
  schedule = curriculum.Uniform(1, 3)
  with pytest.raises(dataclasses.FrozenInstanceError):
    schedule.max_length = 5
  assert hash(schedule) == hash(curriculum.Uniform(1, 3))


def test_registry():
  assert set(curriculum.CURRICULA) == {
    "fixed",
    "uniform",
    "regular_increase",
    "reverse_exponential",
  }
  schedule = curriculum.get("reverse_exponential", min_length=1, max_length=4, decay=0.9)
  assert schedule == curriculum.ReverseExponential(1, 4, 0.9)
  assert math.isclose(float(jnp.exp(schedule.log_probabilities()).sum()), 1.0, rel_tol=1e-6)
  with pytest.raises(ValueError, match="known"):
    curriculum.get("nope")


@pytest.mark.parametrize(
  "build",
  [
    lambda: curriculum.Fixed(0),
    lambda: curriculum.Uniform(5, 4),
    lambda: curriculum.Uniform(0, 4),
    lambda: curriculum.RegularIncrease(1, 5, step_interval=0),
    lambda: curriculum.RegularIncrease(1, 5, step_interval=10, increase_amount=-1),
    lambda: curriculum.ReverseExponential(1, 5, decay=0.0),
  ],
)
def test_bad_settings_raise(build):
  with pytest.raises(ValueError):
    build()
