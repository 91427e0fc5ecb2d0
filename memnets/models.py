"""The registry of models by name: every model memnets trains, in one place.

`MODELS[name](input_size, output_size, rngs=..., **sizes)` builds a cell whose
outputs have `output_size` features (logits for a task), ready for `unroll`;
`--config.model.name=<name>` picks one, and the config's other `model` fields
are its `sizes`. A new model family adds its entry here.
"""

from flax import nnx

from memnets.dnc import DNCCell
from memnets.neural_gpu import NeuralGPU
from memnets.ntm import NTMCell
from memnets.recurrent import GRU, LSTM, RNN, Readout, Stacked
from memnets.recurrent.bidirectional_classifier import BidirectionalClassifier
from memnets.stacks import NDStackRNNCell, NeuralStackCell, StackRNNCell, TapeRNNCell
from memnets.transformer import TransformerEncoder


def _baseline(name: str):
  make = {"lstm": LSTM, "gru": GRU, "rnn": RNN}[name]

  def build(
    input_size: int,
    output_size: int,
    *,
    hidden_size: int = 256,
    num_layers: int = 1,
    embedding_size: int = 0,
    rngs: nnx.Rngs,
  ) -> Readout:
    """A `num_layers`-deep stack of `hidden_size` cells with a dense read-out.

    `embedding_size` > 0 embeds the inputs in that many numbers first.
    """
    width = embedding_size or input_size
    if num_layers == 1:
      cell = make(width, hidden_size, rngs=rngs)
    else:
      cell = Stacked(make, width, hidden_size, num_layers, rngs=rngs)
    embed_from = input_size if embedding_size else 0
    return Readout(cell, output_size, embed_from=embed_from, rngs=rngs)

  build.__name__ = f"build_{name}"
  return build


def _neural(kind: str):
  def build(
    input_size: int, output_size: int, *, capacity: int = 128, rngs: nnx.Rngs, **sizes
  ) -> NeuralStackCell:
    """An LSTM-controlled neural stack, queue or deque; its memory grows to each run's length."""
    return NeuralStackCell(
      input_size, output_size, kind=kind, capacity=capacity, rngs=rngs, **sizes
    )

  build.__name__ = f"build_neural_{kind}"
  return build


def _stack_rnn(
  input_size: int, output_size: int, *, stack_size: int = 128, rngs: nnx.Rngs, **sizes
) -> StackRNNCell:
  """The Stack-RNN with Delétang et al.'s training stack of 128 cells (grown to longer runs)."""
  return StackRNNCell(input_size, output_size, stack_size=stack_size, rngs=rngs, **sizes)


def _tape_rnn(
  input_size: int, output_size: int, *, memory_size: int = 256, rngs: nnx.Rngs, **sizes
) -> TapeRNNCell:
  """The Tape-RNN with Delétang et al.'s training tape of 256 cells (grown to longer runs)."""
  return TapeRNNCell(input_size, output_size, memory_size=memory_size, rngs=rngs, **sizes)


MODELS = {
  "ntm": NTMCell,
  "dnc": DNCCell,
  "lstm": _baseline("lstm"),
  "gru": _baseline("gru"),
  "rnn": _baseline("rnn"),
  "neural_stack": _neural("stack"),  # Grefenstette et al. 2015
  "neural_queue": _neural("queue"),
  "neural_deque": _neural("deque"),
  "stack_rnn": _stack_rnn,  # Joulin & Mikolov 2015, as Delétang et al. 2023 run it
  "ndstack_rnn": NDStackRNNCell,  # DuSell & Chiang 2020, as Delétang et al. 2023 run it
  "tape_rnn": _tape_rnn,  # Delétang et al. 2023
  "transformer": TransformerEncoder,  # a whole-sequence model: model(inputs) -> logits
  "neural_gpu": NeuralGPU,  # Kaiser & Sutskever 2016; whole-sequence, trained via train_logits
  "bidirectional": BidirectionalClassifier,  # two cells reading opposite ways, one label (digits)
}


def build(name: str, input_size: int, output_size: int, *, rngs: nnx.Rngs, **kwargs):
  """`MODELS[name](...)`, with a ValueError naming the known models for an unknown name."""
  if name not in MODELS:
    raise ValueError(f"model.name: unknown model {name!r}; known: {sorted(MODELS)}")
  return MODELS[name](input_size, output_size, rngs=rngs, **kwargs)
