"""NDStack-RNN on a Chomsky-hierarchy task — Delétang et al. 2023, App. A.

Command:
  python -m experiments.train --config=experiments/configs/ndstack_rnn_chomsky.py \\
    --config.task.name=even_pairs --workdir=/tmp/ndstack_rnn_even_pairs
  (`:smoke` for a seconds-long check; `--config.model.stack_symbols=4` and
  `--config.model.read_states=True` for the paper's other settings.)

Paper: a vanilla RNN of 256 units driving a nondeterministic stack of 2
states and 2 stack symbols (4 in the paper's sweep), the joint softmax over
all transitions, batch 16 (reduced from the protocol's 128 for memory); the
rest of the protocol is `configs.chomsky_config`'s. Memory: O(T²) per example
forward and O(T³) for a gradient (`memnets.stacks.ndstack_rnn`): training
lengths up to 40 fit, the tests run forward only; sweeps beyond ~200 steps
need `--config.train.eval_batch_size` lowered.

Expected: the regular tasks mostly solved, most others not (App. B.6);
Table 2 has no column for it.
"""

import ml_collections

from experiments import configs


def get_config(arg: str | None = None):
  model = ml_collections.ConfigDict()
  model.name = "ndstack_rnn"  # memnets.stacks.NDStackRNNCell
  model.controller = "rnn"  # the paper's vanilla RNN
  model.hidden_size = 256
  model.stack_states = 2  # Q
  model.stack_symbols = 2  # S (the paper sweeps 2 and 4)
  model.stack_size = 30  # steps preallocated; longer runs get one per step
  model.read_states = False  # read the top symbol's distribution only
  model.transition_softmax = "global"  # one softmax over all transitions
  config = configs.chomsky_config(model, arg)
  if arg != configs.SMOKE:
    config.train.batch_size = 16  # the paper's, for memory
    config.train.eval_batch_size = 16
  return config
