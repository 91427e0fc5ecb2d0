"""The bidirectional classifier: one label from a forward and a backward cell's final outputs."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from memnets.recurrent import Stacked
from memnets.recurrent.bidirectional_classifier import BidirectionalClassifier
from memnets.unrolling import unroll

B, T, I, H, O = 2, 5, 3, 6, 4
XS = jax.random.normal(jax.random.key(0), (B, T, I))


def test_the_logits_are_a_dense_layer_on_the_forward_last_and_backward_first_outputs():
  model = BidirectionalClassifier(I, O, hidden_size=H, rngs=nnx.Rngs(0))
  logits = model(XS)
  assert logits.shape == (B, T, O) and (model.input_size, model.output_size) == (I, O)
  _, forward_ys = unroll(model.bidirectional.forward, XS)
  _, backward_ys = unroll(model.bidirectional.backward, XS[:, ::-1])  # reads T-1 .. 0
  final = jnp.concatenate([forward_ys[:, -1], backward_ys[:, -1]], axis=-1)
  expected = model.dense(final)
  for t in range(T):  # the same class logits at every step
    np.testing.assert_allclose(logits[:, t], expected, rtol=1e-5, atol=1e-6)


def test_deeper_classifiers_stack_each_direction_and_unknown_cells_are_named():
  model = BidirectionalClassifier(I, O, hidden_size=H, num_layers=2, cell="rnn", rngs=nnx.Rngs(0))
  assert isinstance(model.bidirectional.backward, Stacked)
  assert len(model.bidirectional.forward.layers) == 2 and model.dense.in_features == 2 * H
  with pytest.raises(ValueError, match="cell: unknown cell 'ntm'"):
    BidirectionalClassifier(I, O, cell="ntm", rngs=nnx.Rngs(0))
