"""Length curricula: the lengths of a training batch as a pure function of the step.

A curriculum is a small frozen dataclass with a static `max_length` and a call
`curriculum(step, key, batch_size) -> lengths [B] int32`, jit-able with a traced
`step`. A training batch is then

  task.sample_lengths(key, curriculum(step, length_key, B), curriculum.max_length)

whose shapes depend only on `max_length`, so the whole run compiles once.

The curricula follow Delétang et al. 2023 (Neural Networks and the Chomsky
Hierarchy, §4 and its code): a fixed length, lengths uniform on a range, a
range whose upper end increases regularly with the step, and a "reverse
exponential" distribution with P(L) proportional to decay^L on the range, which
for decay < 1 favours short sequences.

Difference from the Chomsky-hierarchy code: its regular-increase curriculum
samples lengths on a grid of multiples of the increase; ours samples uniformly
on the whole current range [min_length, upper(step)], capped at `max_length`.
"""

import dataclasses
import math

import jax
import jax.numpy as jnp


def _check_range(name: str, min_length: int, max_length: int) -> None:
  if min_length < 1:
    raise ValueError(f"{name}: min_length must be >= 1, got {min_length}")
  if max_length < min_length:
    raise ValueError(f"{name}: max_length {max_length} is below min_length {min_length}")


@dataclasses.dataclass(frozen=True)
class Fixed:
  """Every example has length `length`."""

  length: int

  def __post_init__(self):
    _check_range("Fixed", self.length, self.length)

  @property
  def max_length(self) -> int:
    return self.length

  def __call__(self, step: jax.typing.ArrayLike, key: jax.Array, batch_size: int) -> jax.Array:
    del step, key
    return jnp.full((batch_size,), self.length, jnp.int32)


@dataclasses.dataclass(frozen=True)
class Uniform:
  """Lengths uniform on the closed range [min_length, max_length]."""

  min_length: int
  max_length: int

  def __post_init__(self):
    _check_range("Uniform", self.min_length, self.max_length)

  def __call__(self, step: jax.typing.ArrayLike, key: jax.Array, batch_size: int) -> jax.Array:
    del step
    return jax.random.randint(
      key, (batch_size,), self.min_length, self.max_length + 1, dtype=jnp.int32
    )


@dataclasses.dataclass(frozen=True)
class RegularIncrease:
  """Lengths uniform on [min_length, upper(step)], the upper end growing with the step.

  upper(step) = min(min_length + increase_amount * (step // step_interval), max_length).
  """

  min_length: int
  max_length: int
  step_interval: int
  increase_amount: int = 1

  def __post_init__(self):
    _check_range("RegularIncrease", self.min_length, self.max_length)
    if self.step_interval < 1:
      raise ValueError(f"RegularIncrease: step_interval must be >= 1, got {self.step_interval}")
    if self.increase_amount < 0:
      raise ValueError(f"RegularIncrease: increase_amount must be >= 0, got {self.increase_amount}")

  def upper(self, step: jax.typing.ArrayLike) -> jax.Array:
    """The largest length the curriculum samples at `step` (int32 scalar)."""
    increases = jnp.asarray(step, jnp.int32) // self.step_interval
    return jnp.minimum(self.min_length + self.increase_amount * increases, self.max_length)

  def __call__(self, step: jax.typing.ArrayLike, key: jax.Array, batch_size: int) -> jax.Array:
    return jax.random.randint(
      key, (batch_size,), self.min_length, self.upper(step) + 1, dtype=jnp.int32
    )


@dataclasses.dataclass(frozen=True)
class ReverseExponential:
  """Lengths on [min_length, max_length] with P(L) proportional to decay^L."""

  min_length: int
  max_length: int
  decay: float

  def __post_init__(self):
    _check_range("ReverseExponential", self.min_length, self.max_length)
    if not self.decay > 0:
      raise ValueError(f"ReverseExponential: decay must be > 0, got {self.decay}")

  def log_probabilities(self) -> jax.Array:
    """log P(L) for L = min_length .. max_length: [max_length - min_length + 1]."""
    lengths = jnp.arange(self.min_length, self.max_length + 1, dtype=jnp.float32)
    return jax.nn.log_softmax(lengths * math.log(self.decay))

  def __call__(self, step: jax.typing.ArrayLike, key: jax.Array, batch_size: int) -> jax.Array:
    del step
    offsets = jax.random.categorical(key, self.log_probabilities(), shape=(batch_size,))
    return (self.min_length + offsets).astype(jnp.int32)


Curriculum = Fixed | Uniform | RegularIncrease | ReverseExponential

CURRICULA = {
  "fixed": Fixed,
  "uniform": Uniform,
  "regular_increase": RegularIncrease,
  "reverse_exponential": ReverseExponential,
}


def get(name: str, **kwargs) -> Curriculum:
  """Builds the curriculum registered as `name` with keyword arguments `kwargs`."""
  if name not in CURRICULA:
    raise ValueError(f"unknown curriculum {name!r}; known: {sorted(CURRICULA)}")
  return CURRICULA[name](**kwargs)
