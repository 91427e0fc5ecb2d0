"""Finite values and gradients of a cell unrolled from its initial state, at zero and huge inputs.

`from helpers import gradients`; `gradients.assert_finite_from_the_start(cell, "huge")`:
zero inputs test the empty memory's edge cases (zero vectors and weightings),
huge ones (1e4) saturate every tanh and sigmoid and make the softmaxes one-hot.
"""

import chex
import jax
import jax.numpy as jnp
from flax import nnx

from memnets import unroll

INPUTS = ("zeros", "huge")


def assert_finite_from_the_start(cell, inputs: str, batch: int = 2, steps: int = 6) -> None:
  """Asserts the loss sum(y²) over `steps` of `unroll(cell, xs)` and its gradients are finite."""
  graphdef, params = nnx.split(cell, nnx.Param)
  shape = (batch, steps, cell.input_size)
  xs = {"zeros": jnp.zeros(shape), "huge": 1e4 * jnp.ones(shape)}[inputs]

  def loss(params):
    return jnp.sum(unroll(nnx.merge(graphdef, params), xs)[1] ** 2)

  value, grads = jax.jit(jax.value_and_grad(loss))(params)
  chex.assert_tree_all_finite((value, grads))
