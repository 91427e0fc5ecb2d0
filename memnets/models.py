"""The registry of models by name: every model memnets trains, in one place.

`MODELS[name](input_size, output_size, rngs=..., **sizes)` builds a cell whose
outputs have `output_size` features (logits for a task), ready for `unroll`;
`--config.model.name=<name>` picks one, and the config's other `model` fields
are its `sizes`. A new model family adds its entry here.
"""

from flax import nnx

from memnets.dnc import DNCCell
from memnets.ntm import NTMCell
from memnets.recurrent import GRU, LSTM, RNN, Readout, Stacked
from memnets.transformer import TransformerEncoder


def _baseline(name: str):
  make = {"lstm": LSTM, "gru": GRU, "rnn": RNN}[name]

  def build(
    input_size: int,
    output_size: int,
    *,
    hidden_size: int = 256,
    num_layers: int = 1,
    rngs: nnx.Rngs,
  ) -> Readout:
    """A `num_layers`-deep stack of `hidden_size` cells with a dense read-out."""
    if num_layers == 1:
      cell = make(input_size, hidden_size, rngs=rngs)
    else:
      cell = Stacked(make, input_size, hidden_size, num_layers, rngs=rngs)
    return Readout(cell, output_size, rngs=rngs)

  build.__name__ = f"build_{name}"
  return build


MODELS = {
  "ntm": NTMCell,
  "dnc": DNCCell,
  "lstm": _baseline("lstm"),
  "gru": _baseline("gru"),
  "rnn": _baseline("rnn"),
  "transformer": TransformerEncoder,  # a whole-sequence model: model(inputs) -> logits
}


def build(name: str, input_size: int, output_size: int, *, rngs: nnx.Rngs, **kwargs):
  """`MODELS[name](...)`, with a ValueError naming the known models for an unknown name."""
  if name not in MODELS:
    raise ValueError(f"model.name: unknown model {name!r}; known: {sorted(MODELS)}")
  return MODELS[name](input_size, output_size, rngs=rngs, **kwargs)
