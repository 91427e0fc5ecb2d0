"""The task interface (memnets/tasks/base.py): fixed lengths, length ranges, errors."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import base


class Counting(base.Task):
  """A toy task: input i at step i < length, target = input, mask on valid steps."""

  name = "counting"
  input_size = 1
  output_size = 1
  loss = "bits"
  train_lengths = (1, 4)
  test_lengths = (6,)

  def num_steps(self, max_length):
    return max_length

  def sample_lengths(self, key, lengths, max_length):
    del key
    steps = jnp.arange(max_length)
    mask = (steps[None, :] < lengths[:, None]).astype(jnp.float32)
    inputs = (mask * steps[None, :])[..., None]
    return base.Batch(inputs, inputs, mask)


def test_an_int_length_gives_exactly_that_length():
  batch = Counting().sample(jax.random.key(0), 3, 4)
  assert batch.inputs.shape == (3, 4, 1)
  np.testing.assert_array_equal(batch.mask, np.ones((3, 4)))


def test_a_range_draws_each_length_inside_it_and_pads_to_its_maximum():
  batch = Counting().sample(jax.random.key(0), 256, (2, 5))
  assert batch.mask.shape == (256, 5)
  lengths = np.asarray(batch.mask.sum(axis=1))
  assert set(lengths) == {2, 3, 4, 5}


def test_the_same_key_gives_the_same_lengths():
  a = Counting().sample(jax.random.key(7), 32, (1, 6))
  b = Counting().sample(jax.random.key(7), 32, (1, 6))
  c = Counting().sample(jax.random.key(8), 32, (1, 6))
  np.testing.assert_array_equal(a.mask, b.mask)
  assert not np.array_equal(a.mask, c.mask)


@pytest.mark.parametrize("length", [0, (0, 3), (4, 2)])
def test_bad_lengths_raise(length):
  with pytest.raises(ValueError, match="counting"):
    Counting().sample(jax.random.key(0), 2, length)
