"""LSTM baseline on a transduction task — Grefenstette et al. 2015.

Command:
  python -m experiments.train --config=experiments/configs/lstm_transduction.py \\
    --config.task.name=transduction_reversal --workdir=/tmp/lstm_reversal
  (`:smoke` for a seconds-long check; `--config.model.num_layers=4` for a deep LSTM.)

Paper (§4.4): Deep LSTMs of 1, 2, 4 and 8 layers of 256 or 512 units; this
config is the one-layer LSTM of 256, whose Table 3 row memnets compares with,
the symbols embedded in 64 numbers as in the paper.
The protocol is `configs.transduction_config`'s.

Expected (App. E, Table 3, 1-layer LSTM): test coarse accuracy 0.00–0.01 on
copy, reversal and bigram flipping, 0.96–0.97 on the two grammar tasks.
"""

import ml_collections

from experiments import configs


def get_config(arg: str | None = None):
  model = ml_collections.ConfigDict()
  model.name = "lstm"  # memnets.models: a LSTM with a dense read-out
  model.hidden_size = 256
  model.num_layers = 1
  model.embedding_size = 64  # §5: the symbols embedded in 64 numbers
  return configs.transduction_config(model, arg)
