"""Tests of the shared Chomsky-task layout: encode, decode and length-range sampling."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks import base, chomsky
from memnets.tasks.chomsky import encoding


def _two_examples():
  """Example 0: input "1 0", two output steps "1 0", first one scored.
  Example 1: input "2 1 0" (the whole max_length), one output step "1", scored."""
  strings = encoding.Strings(
    inputs=jnp.array([[1, 0, 2], [2, 1, 0]]),
    input_lengths=jnp.array([2, 3]),
    outputs=jnp.array([[1, 0], [1, 1]]),
    output_lengths=jnp.array([2, 1]),
    scored_lengths=jnp.array([1, 1]),
  )
  return encoding.encode(strings, input_vocab_size=3, output_vocab_size=2, max_length=3)


def test_encode_hand_checked_layout():
  batch = _two_examples()
  # Channels: symbols 0, 1, 2, then the output-phase flag.
  expected_inputs = np.array(
    [
      [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]],
      [[0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1], [0, 0, 0, 0]],
    ],
    np.float32,
  )
  expected_targets = np.array(
    [
      [[0, 0], [0, 0], [0, 1], [1, 0], [0, 0]],
      [[0, 0], [0, 0], [0, 0], [0, 1], [0, 0]],
    ],
    np.float32,
  )
  expected_mask = np.array([[0, 0, 1, 0, 0], [0, 0, 0, 1, 0]], np.float32)
  np.testing.assert_array_equal(batch.inputs, expected_inputs)
  np.testing.assert_array_equal(batch.targets, expected_targets)
  np.testing.assert_array_equal(batch.mask, expected_mask)
  assert batch.inputs.dtype == batch.targets.dtype == batch.mask.dtype == jnp.float32


def test_decode_reads_back_the_strings():
  first, second = encoding.decode(_two_examples())
  assert first == encoding.Example(inputs=[1, 0], output_steps=2, targets=[1, 0], scored=[1])
  assert second == encoding.Example(inputs=[2, 1, 0], output_steps=1, targets=[1], scored=[1])


def test_decode_rejects_broken_layouts():
  batch = _two_examples()
  with pytest.raises(ValueError, match="mask"):
    encoding.decode(batch._replace(mask=batch.mask.at[0, 0].set(1.0)))
  with pytest.raises(ValueError, match="after the output phase"):
    encoding.decode(batch._replace(inputs=batch.inputs.at[0, 4, 1].set(1.0)))
  with pytest.raises(ValueError, match="targets"):
    encoding.decode(batch._replace(targets=batch.targets.at[1, 0, 0].set(1.0)))


@pytest.mark.parametrize("name", ("parity_check", "reverse_string"))
def test_length_range_compiles_once_for_different_keys(name):
  task = chomsky.TASKS[name]()
  sample = jax.jit(task.sample, static_argnums=(1, 2))
  batches = [sample(jax.random.key(seed), 16, (1, 40)) for seed in range(3)]
  assert sample._cache_size() == 1
  lengths = [len(e.inputs) for b in batches for e in encoding.decode(b)]
  assert min(lengths) >= 1 and max(lengths) <= 40 and len(set(lengths)) > 10
  assert batches[0].inputs.shape == (16, task.num_steps(40), task.input_size)


def test_chomsky_task_protocol_and_minimum_length():
  task = chomsky.TASKS["reverse_string"]()
  assert isinstance(task, base.Task)
  assert task.train_lengths == (1, 40)
  assert task.test_lengths == tuple(range(41, 501))
  assert task.input_size == task.input_vocab_size + 1 == task.output_phase_channel + 1
  with pytest.raises(ValueError):
    task.sample(jax.random.key(0), 2, 0)
