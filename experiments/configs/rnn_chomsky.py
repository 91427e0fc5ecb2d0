"""RNN baseline on a Chomsky-hierarchy task — Delétang et al. 2023, Table 2.

Command:
  python -m experiments.train --config=experiments/configs/rnn_chomsky.py \\
    --config.task.name=parity_check --workdir=/tmp/rnn_parity_check
  (`:smoke` for a seconds-long check; `--config.num_seeds=10` for the paper's seeds.)

Paper: one RNN layer of 256 units and a linear read-out; the protocol is
`configs.chomsky_config`'s. Difference: the paper's code puts a ReLU
between the cell and the read-out; memnets' read-out is linear.

Expected: the regular tasks solved (Table 2: 100% on all four), near chance on
most others.
"""

import ml_collections

from experiments import configs


def get_config(arg: str | None = None):
  model = ml_collections.ConfigDict()
  model.name = "rnn"  # memnets.models: a RNN with a dense read-out
  model.hidden_size = 256  # the paper's one layer of 256
  model.num_layers = 1
  return configs.chomsky_config(model, arg)
