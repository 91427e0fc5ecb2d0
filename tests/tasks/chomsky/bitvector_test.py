"""Tests of big-number arithmetic on bit vectors against Python integers."""

import math
import random

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from memnets.tasks.chomsky import bitvector

WIDTH = 130  # past int64, so only exact bit arithmetic passes


def _numbers(seed, count=8, bits=WIDTH // 2):
  rng = random.Random(seed)
  edge = [0, 1, 2**bits - 1, 2 ** (bits - 1)]
  return edge + [rng.getrandbits(bits) for _ in range(count - len(edge))]


def _bits(values, width=WIDTH):
  return jnp.array([bitvector.from_int(v, width) for v in values], jnp.int32)


def _values(bits):
  return [bitvector.to_int(row) for row in np.asarray(bits)]


def test_from_int_and_to_int_are_little_endian_inverses():
  assert bitvector.from_int(6, 4) == [0, 1, 1, 0]
  assert bitvector.to_int([0, 1, 1, 0]) == 6


def test_add_matches_python_including_long_carry_chains():
  a, b = _numbers(0), _numbers(1)[::-1]
  np.testing.assert_array_equal(
    _values(bitvector.add(_bits(a), _bits(b))), [x + y for x, y in zip(a, b, strict=True)]
  )
  # All ones plus one carries through every bit.
  ones = 2 ** (WIDTH - 1) - 1
  assert _values(bitvector.add(_bits([ones]), _bits([1]))) == [ones + 1]


def test_add_with_carry_in_and_wraparound():
  assert _values(bitvector.add(_bits([5]), _bits([6]), 1)) == [12]
  top = 2**WIDTH - 1
  assert _values(bitvector.add(_bits([top]), _bits([1]))) == [0]


def test_subtract_and_greater_equal():
  a, b = _numbers(2), _numbers(3)
  high, low = (
    [max(x, y) for x, y in zip(a, b, strict=True)],
    [min(x, y) for x, y in zip(a, b, strict=True)],
  )
  assert _values(bitvector.subtract(_bits(high), _bits(low))) == [
    x - y for x, y in zip(high, low, strict=True)
  ]
  ge = np.asarray(bitvector.greater_equal(_bits(a), _bits(b)))
  np.testing.assert_array_equal(ge, [x >= y for x, y in zip(a, b, strict=True)])
  assert bool(bitvector.greater_equal(_bits([7]), _bits([7]))[0])


def test_bit_length():
  values = [0, 1, 2, 255, 256, 2**100 + 3]
  np.testing.assert_array_equal(
    bitvector.bit_length(_bits(values)), [v.bit_length() for v in values]
  )


def test_multiply_matches_python():
  a, b = _numbers(4), _numbers(5)
  product = jax.jit(bitvector.multiply)(_bits(a), _bits(b))
  assert _values(product) == [x * y for x, y in zip(a, b, strict=True)]


def test_integer_sqrt_matches_math_isqrt():
  values = _numbers(6, bits=WIDTH) + [3, 4, 15, 16, 17, 99]
  roots = jax.jit(bitvector.integer_sqrt)(_bits(values))
  assert _values(roots) == [math.isqrt(v) for v in values]


def test_integer_sqrt_needs_even_width():
  with pytest.raises(ValueError, match="even"):
    bitvector.integer_sqrt(jnp.zeros((1, 3), jnp.int32))
