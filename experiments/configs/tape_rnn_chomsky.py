"""Tape-RNN on a Chomsky-hierarchy task — Delétang et al. 2023, Table 2.

Command:
  python -m experiments.train --config=experiments/configs/tape_rnn_chomsky.py \\
    --config.task.name=duplicate_string --workdir=/tmp/tape_rnn_duplicate_string
  (`:smoke` for a seconds-long check; `--config.num_seeds=10` for the paper's seeds.)

Paper: a vanilla RNN of 256 units reading the input and the tape cell under
its head (cells of 8 numbers); five actions mixed by a softmax: write and
stay, write and move left or right, jump left or right by the input length;
a tape of 256 cells in training, enlarged for the tests (memnets grows it to
every run's length); the protocol is `configs.chomsky_config`'s. Differences:
the paper also sweeps computation steps (0, ℓ, 2ℓ) and 1 or 4 tapes and
reports the best; memnets runs 1 tape and no computation steps. The write
value comes from a (64, 64) MLP and every action writes, as in the current
reference code (the paper's text: jumps do not write).

Expected: most context-sensitive string tasks solved (Table 2: 100% on
duplicate_string, odds_first, missing_duplicate_string, binary_addition).
"""

import ml_collections

from experiments import configs


def get_config(arg: str | None = None):
  model = ml_collections.ConfigDict()
  model.name = "tape_rnn"  # memnets.stacks.TapeRNNCell
  model.controller = "rnn"  # the paper's vanilla RNN
  model.hidden_size = 256
  model.memory_cell_size = 8
  model.memory_size = 256  # the paper's training tape; longer runs get one cell per step
  model.num_tapes = 1
  return configs.chomsky_config(model, arg)
