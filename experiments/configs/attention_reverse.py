"""An attention encoder-decoder reversing strings, beside the same model without attention.

  python -m experiments.train --config=experiments/configs/attention_reverse.py --workdir=DIR
  [--config.model.attention=False] [--config.task.source=copy|priority_sort|transduction_reversal]

Bahdanau et al. 2015's model at a small size: a bidirectional GRU encoder of
64 units per direction, a GRU decoder with additive attention (64), teacher
forcing, Adam; trained on `reverse_string` (Delétang et al.'s task) at
lengths 1–20 and scored by exact match with greedy decoding at 5–20
(training lengths) and 25–60 (beyond). Without attention the decoder
sees only the encoder's mean annotation (Cho et al. 2014). Expected: with
attention, exact match stays high past the training lengths; without, it
falls (docs/results.md has the measured rows).
"""

import ml_collections


def get_config(variant: str | None = None) -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  config.model = ml_collections.ConfigDict()
  config.model.encoder = "gru"  # "gru" or "lstm": the bidirectional encoder's cells
  config.model.hidden_size = 64  # units per encoder direction and in the decoder
  config.model.attention_size = 64  # A, the additive attention's width
  config.model.attention = True  # False: the mean annotation as a fixed context

  config.task = ml_collections.ConfigDict()
  config.task.name = "seq2seq"  # trained by experiments.seq2seq_run
  config.task.source = "reverse_string"  # the registry task the pairs come from
  config.task.kwargs = ml_collections.ConfigDict()  # the task's own arguments
  config.task.min_length = 1  # training lengths
  config.task.max_length = 20
  config.task.eval_lengths = (5, 10, 15, 20, 25, 30, 40, 60)  # exact match is measured at these

  config.optimizer = ml_collections.ConfigDict()
  config.optimizer.learning_rate = 1e-3  # Adam
  config.optimizer.clip_global_norm = 1.0

  config.train = ml_collections.ConfigDict()
  config.train.steps = 3000
  config.train.batch_size = 32
  config.train.eval_every = 500  # steps between evaluations (one compiled call each)
  config.train.eval_sequences = 256  # fresh sequences per evaluation length
  config.train.beam_width = 4  # > 1: beam search is scored too at the end
  config.train.seed = 0

  if variant == "smoke":
    config.model.hidden_size = 8
    config.model.attention_size = 8
    config.task.max_length = 4
    config.task.eval_lengths = (6,)
    config.train.steps = 30
    config.train.eval_every = 15
    config.train.eval_sequences = 16
    config.train.beam_width = 0
  elif variant is not None:
    raise ValueError(f"unknown variant {variant!r}; known: smoke")
  return config
