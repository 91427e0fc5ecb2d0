"""Stack-RNN on a Chomsky-hierarchy task — Delétang et al. 2023, Table 2.

Command:
  python -m experiments.train --config=experiments/configs/stack_rnn_chomsky.py \\
    --config.task.name=reverse_string --workdir=/tmp/stack_rnn_reverse_string
  (`:smoke` for a seconds-long check; `--config.model.controller=lstm` for the
  Stack-LSTM; `--config.num_seeds=10` for the paper's seeds.)

Paper: a vanilla RNN of 256 units reading the input and the top of one stack
of 8-number cells; push, pop and no-op mixed by a softmax; 128 cells in
training, enlarged for the tests (memnets grows the stack to every run's
length); the protocol is `configs.chomsky_config`'s.

Expected: the regular and deterministic context-free tasks mostly solved
(Table 2: 100% on reverse_string and stack_manipulation), near chance on most
context-sensitive ones (duplicate_string: 52.8%).
"""

import ml_collections

from experiments import configs


def get_config(arg: str | None = None):
  model = ml_collections.ConfigDict()
  model.name = "stack_rnn"  # memnets.stacks.StackRNNCell
  model.controller = "rnn"  # the paper's vanilla RNN; lstm: the Stack-LSTM
  model.hidden_size = 256
  model.stack_cell_size = 8
  model.stack_size = 128  # the paper's training stack; longer runs get one cell per step
  model.num_stacks = 1
  return configs.chomsky_config(model, arg)
