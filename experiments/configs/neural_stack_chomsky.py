"""Neural stack LSTM (Grefenstette et al. 2015) on a Chomsky-hierarchy task.

Command:
  python -m experiments.train --config=experiments/configs/neural_stack_chomsky.py \\
    --config.task.name=reverse_string --workdir=/tmp/neural_stack_reverse_string
  (`:smoke` for a seconds-long check; `--config.model.name=neural_queue` or
  `neural_deque` for the other two memories.)

Paper: Delétang et al. 2023 do not run this model; memnets adds it to their
table under their protocol (`configs.chomsky_config`). The cell is
Grefenstette et al.'s: an LSTM controller whose input is the token and the
last read, continuous push and pop strengths (sigmoid) and a tanh value per
step; the memory grows to every run's length. The LSTM has 256 units (the
Chomsky paper's recurrent width), the pushed vectors 8 numbers (its stack
cells).

Expected: no published number under this protocol.
"""

import ml_collections

from experiments import configs


def get_config(arg: str | None = None):
  model = ml_collections.ConfigDict()
  model.name = "neural_stack"  # memnets.stacks.NeuralStackCell; or neural_queue, neural_deque
  model.controller = "lstm"  # Grefenstette et al.'s controller
  model.controller_size = 256
  model.memory_width = 8
  model.capacity = 128  # preallocated pushes; longer runs get one per step
  return configs.chomsky_config(model, arg)
