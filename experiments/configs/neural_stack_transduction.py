"""Neural stack, queue or deque LSTM on a transduction task — Grefenstette et al. 2015.

Command:
  python -m experiments.train --config=experiments/configs/neural_stack_transduction.py \\
    --config.task.name=transduction_reversal --workdir=/tmp/stack_reversal
  (`:smoke` for a seconds-long check; `--config.model.name=neural_queue` or
  `neural_deque` for the Queue- and DeQue-LSTM; tasks: transduction_copy,
  transduction_reversal, bigram_flipping, svo_to_sov, gender_conjugation.)

Paper (§4.4, §5, App. B): a one-layer LSTM controller of 256 units (the paper
ran 256 and 512), memory vectors of 256 numbers, the pop bias initialised to
−1, the symbols embedded in 64 numbers; the protocol is
`configs.transduction_config`'s.

Expected (App. E, Table 3, the model picked by training perplexity): test
coarse accuracy 1.00 for the Stack-LSTM on reversal, the Queue-LSTM on copy
and the DeQue-LSTM on both; the Stack-LSTM fails copy (0.00).
"""

import ml_collections

from experiments import configs


def get_config(arg: str | None = None):
  model = ml_collections.ConfigDict()
  model.name = "neural_stack"  # memnets.stacks.NeuralStackCell; or neural_queue, neural_deque
  model.controller = "lstm"
  model.controller_size = 256
  model.memory_width = 256
  model.capacity = 130  # a training run's steps (2 × 64 + 1); longer runs get one per step
  model.pop_bias = -1.0  # App. B
  model.embedding_size = 64  # §5: the symbols embedded in 64 numbers
  return configs.transduction_config(model, arg)
