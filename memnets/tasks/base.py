"""The interface every algorithmic task implements.

A task turns a PRNG key into a `Batch` with pure, jit-able JAX code, so batches
are generated on the device inside the train step. Shapes are static: a batch
whose examples have different lengths is padded to `max_length` and its `mask`
marks the time steps whose outputs are scored.

Two ways to ask for a batch:
- `sample(key, batch_size, length)`: `length` is a Python int (every example
  has exactly that length) or a `(min, max)` pair (each example's length is
  drawn uniformly from the closed range inside the sampler; the shapes depend
  only on `max`, so a whole range compiles once).
- `sample_lengths(key, lengths, max_length)`: `lengths` is a `[B]` int array,
  possibly traced (curricula compute it from the step); `max_length` is a
  static Python int fixing the padded shapes.
"""

import abc
from typing import NamedTuple

import jax
import jax.numpy as jnp

LOSS_KINDS = ("bits", "categorical")


class Batch(NamedTuple):
  """One batch of a task; batch-major.

  inputs: [B, T, I] float32.
  targets: [B, T, O] float32 (bits for "bits" tasks, one-hot for "categorical").
  mask: [B, T] float32, 1 at time steps whose output is scored, else 0.
  """

  inputs: jax.Array
  targets: jax.Array
  mask: jax.Array


class Task(abc.ABC):
  """An algorithmic task: sizes, loss kind and a pure batch sampler.

  Subclasses set `name`, `input_size`, `output_size`, `loss` ("bits" or
  "categorical"), `train_lengths` (the paper's training range, a `(min, max)`
  pair) and `test_lengths` (the lengths of the generalisation sweep), and
  implement `num_steps` and `sample_lengths`.
  """

  name: str
  input_size: int
  output_size: int
  loss: str
  train_lengths: tuple[int, int]
  test_lengths: tuple[int, ...]

  @abc.abstractmethod
  def num_steps(self, max_length: int) -> int:
    """Number of time steps T of a batch padded to `max_length`."""

  @abc.abstractmethod
  def sample_lengths(self, key: jax.Array, lengths: jax.Array, max_length: int) -> Batch:
    """A batch with example i of length `lengths[i]`, padded to `max_length`.

    Args:
      key: PRNG key.
      lengths: [B] int array, every entry in [min_length, max_length].
      max_length: static Python int; shapes are `[B, num_steps(max_length), ...]`.
    """

  def sample_train_lengths(self, key: jax.Array, lengths: jax.Array, max_length: int) -> Batch:
    """A training batch; `sample_lengths` unless the task trains on its own distribution."""
    return self.sample_lengths(key, lengths, max_length)

  def check_length(self, length: int) -> None:
    """Raises ValueError if `length` is outside what the task can generate."""
    if int(length) < self.min_length:
      raise ValueError(f"{self.name}: length {length} is below the minimum {self.min_length}")

  @property
  def min_length(self) -> int:
    return 1

  def sample(self, key: jax.Array, batch_size: int, length) -> Batch:
    """A batch of `batch_size` examples of length `length` (int or (min, max))."""
    if isinstance(length, tuple | list):
      low, high = (int(v) for v in length)
      if low > high:
        raise ValueError(f"{self.name}: length range ({low}, {high}) has min > max")
      self.check_length(low)
      self.check_length(high)
      length_key, key = jax.random.split(key)
      lengths = jax.random.randint(length_key, (batch_size,), low, high + 1)
      return self.sample_lengths(key, lengths, high)
    self.check_length(length)
    lengths = jnp.full((batch_size,), int(length), jnp.int32)
    return self.sample_lengths(key, lengths, int(length))
