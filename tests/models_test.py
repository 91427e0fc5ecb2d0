"""The registry of models: every name builds a cell on the shared interface; unknown names are named."""

import jax.numpy as jnp
import pytest
from flax import nnx

import memnets
from memnets import models

I, O, B, T = 5, 3, 2, 4


def test_the_registry_holds_the_memory_models_and_the_recurrent_baselines():
  assert {"ntm", "dnc", "lstm", "gru", "rnn"} <= set(models.MODELS)
  assert memnets.MODELS is models.MODELS


# Small sizes of the models whose defaults are large or whose memory must be sized.
SMALL = {
  "ntm": {"controller_size": 4, "memory_size": 6, "word_size": 3},
  "dnc": {"controller_size": 4, "memory_size": 6, "word_size": 3},
  "transformer": {"dim": 8, "num_layers": 1, "num_heads": 2},
  "neural_gpu": {"features": 4, "relax": 2},
}


@pytest.mark.parametrize("name", sorted(models.MODELS))
def test_every_model_builds_and_runs_to_output_size(name):
  model = models.build(name, I, O, rngs=nnx.Rngs(0), **SMALL.get(name, {}))
  assert (model.input_size, model.output_size) == (I, O)
  xs = jnp.ones((B, T, I))
  if not hasattr(model, "initial_state"):  # a whole-sequence model
    ys = model(xs)
  else:
    state = model.initial_state(B)
    assert hasattr(state, "_fields")  # a NamedTuple
    _, ys = memnets.unroll(model, xs, state)
  assert ys.shape == (B, T, O) and bool(jnp.all(jnp.isfinite(ys)))


def test_baselines_stack_layers_of_the_named_cell():
  model = models.build("gru", I, O, hidden_size=8, num_layers=3, rngs=nnx.Rngs(0))
  assert isinstance(model.cell, memnets.Stacked) and len(model.cell.layers) == 3
  assert all(isinstance(layer, memnets.GRU) for layer in model.cell.layers)
  assert isinstance(models.build("lstm", I, O, rngs=nnx.Rngs(0)).cell, memnets.LSTM)


def test_an_unknown_name_is_an_error_naming_the_field_and_the_known_models():
  with pytest.raises(
    ValueError, match=r"model.name: unknown model 'tape'; known: \['bidirectional', 'dnc', 'gru'"
  ):
    models.build("tape", I, O, rngs=nnx.Rngs(0))


def test_the_package_exports_the_function_unroll_and_the_module_unrolling():
  assert callable(memnets.unroll) and memnets.unroll is memnets.unrolling.unroll
  assert memnets.unrolling.__name__ == "memnets.unrolling"
