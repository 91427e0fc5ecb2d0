"""The Transformer encoder (memnets/transformer/encoder.py)."""

import chex
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from memnets import models
from memnets.transformer import TransformerEncoder, positional

I, O = 5, 3
SMALL = dict(dim=16, num_layers=2, num_heads=4)


def tokens(ids):
  return jax.nn.one_hot(jnp.asarray(ids), I)


@pytest.mark.parametrize("encoding", positional.ENCODINGS)
def test_logits_at_every_position_and_padding_is_ignored(encoding):
  model = TransformerEncoder(I, O, positional_encoding=encoding, **SMALL, rngs=nnx.Rngs(0))
  short = tokens([[0, 1, 2, 3]])
  padded = jnp.concatenate([short, jnp.zeros((1, 3, I))], axis=1)
  logits = model(short)
  chex.assert_shape(logits, (1, 4, O))
  np.testing.assert_allclose(model(padded)[:, :4], logits, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("encoding", positional.ENCODINGS)
def test_attention_is_not_causal_and_positions_matter_unless_encoding_is_none(encoding):
  model = TransformerEncoder(I, O, positional_encoding=encoding, **SMALL, rngs=nnx.Rngs(0))
  a = model(tokens([[0, 1, 2, 3]]))
  b = model(tokens([[0, 1, 2, 4]]))  # only the last token differs
  assert not np.allclose(a[0, 0], b[0, 0])  # the first position sees the last
  swapped = model(tokens([[1, 0, 2, 3]]))
  # Without an encoding the model is permutation-equivariant: swapping two
  # inputs swaps their outputs.
  same = np.allclose(swapped[0, 0], a[0, 1], atol=1e-5)
  assert same == (encoding == "none")


@pytest.mark.parametrize("encoding", ["alibi", "relative"])
def test_gradients_are_finite_for_an_all_padding_batch(encoding):
  model = TransformerEncoder(I, O, positional_encoding=encoding, **SMALL, rngs=nnx.Rngs(0))
  graphdef, params = nnx.split(model, nnx.Param)

  def loss(params, xs):
    return jnp.sum(nnx.merge(graphdef, params)(xs) ** 2)

  for xs in (jnp.zeros((2, 4, I)), tokens([[0, 1, 0, 1], [2, 2, 2, 2]])):
    value, grads = jax.jit(jax.value_and_grad(loss))(params, xs)
    chex.assert_tree_all_finite((value, grads))


def test_the_registry_builds_the_papers_sizes():
  model = models.build("transformer", I, O, rngs=nnx.Rngs(0))
  assert isinstance(model, TransformerEncoder)
  assert (model.dim, len(model.blocks), model.positional_encoding) == (64, 5, "sin_cos")


def test_bad_configuration_names_the_field():
  with pytest.raises(ValueError, match="positional_encoding: unknown 'learned'"):
    TransformerEncoder(I, O, positional_encoding="learned", rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="multiple of num_heads"):
    TransformerEncoder(I, O, dim=10, num_heads=4, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="num_layers must be >= 1"):
    TransformerEncoder(I, O, num_layers=0, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="inputs must be"):
    TransformerEncoder(I, O, **SMALL, rngs=nnx.Rngs(0))(jnp.zeros((4, I)))


def test_the_relative_encodings_parameters_are_trained():
  model = TransformerEncoder(I, O, positional_encoding="relative", **SMALL, rngs=nnx.Rngs(0))
  graphdef, params = nnx.split(model, nnx.Param)

  def loss(params):
    return jnp.sum(nnx.merge(graphdef, params)(tokens([[0, 1, 2, 3]])) ** 2)

  grads = jax.grad(loss)(params)
  attention = grads["blocks"][0]["attention"]["attention_fn"]
  for name in ("project", "content_bias", "position_bias"):
    leaves = jax.tree.leaves(attention[name])
    assert leaves and any(float(jnp.abs(g).max()) > 0 for g in leaves), name
