"""The Neural GPU's arithmetic tapes, decoded and checked against Python integers."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets import tasks
from memnets.tasks import neural_gpu


def little_endian(bits) -> int:
  return sum(int(b) << i for i, b in enumerate(bits))


@pytest.mark.parametrize("name,op", [("neural_gpu_addition", int.__add__),
                                     ("neural_gpu_multiplication", int.__mul__)])  # fmt: skip
def test_every_tape_is_x_op_y_and_the_result_over_its_scored_positions(name, op):
  task = tasks.get(name)
  lengths = np.array([1, 2, 5, 7, 7, 3])
  batch = task.sample_lengths(jax.random.key(0), jnp.asarray(lengths), 7)
  assert batch.inputs.shape == (6, 15, 3) and batch.targets.shape == (6, 15, 2)
  arrays = (np.asarray(batch.inputs), np.asarray(batch.targets), np.asarray(batch.mask), lengths)
  for inputs, targets, mask, k in zip(*arrays, strict=True):
    n = 2 * k + 1
    np.testing.assert_array_equal(mask, np.arange(15) < n)
    assert not np.any(inputs[n:])  # padding: all-zero vectors
    tokens = np.argmax(inputs[:n], -1)
    assert tokens[k] == neural_gpu.OPERATOR and set(tokens[:k]) | set(tokens[k + 1 :]) <= {0, 1}
    x, y = little_endian(tokens[:k]), little_endian(tokens[k + 1 :])
    assert little_endian(np.argmax(targets[:n], -1)) == op(x, y)


def test_operands_cover_their_range_with_leading_zeros():
  task = tasks.get("neural_gpu_addition")
  batch = task.sample(jax.random.key(1), 512, 3)
  firsts = {little_endian(np.argmax(row[:3], -1)) for row in np.asarray(batch.inputs)}
  assert firsts == set(range(8))


def test_price_et_al_structured_inputs():
  add = tasks.get("neural_gpu_addition")
  carry = add.structured("carry", 2, 6)
  tokens = np.argmax(carry.inputs[0], -1)
  assert little_endian(tokens[:6]) == 63 and little_endian(tokens[7:]) == 1
  assert little_endian(np.argmax(carry.targets[0], -1)) == 64  # the carry runs through every bit
  sparse = tasks.get("neural_gpu_multiplication").structured("sparse", 1, 5)
  tokens = np.argmax(sparse.inputs[0], -1)
  assert little_endian(tokens[:5]) == little_endian(tokens[6:]) == 2
  assert little_endian(np.argmax(sparse.targets[0], -1)) == 4
  with pytest.raises(ValueError, match="kind"):
    add.structured("zeros", 1, 4)
  with pytest.raises(ValueError, match="op"):
    neural_gpu.NeuralGPUArithmetic("sub")
