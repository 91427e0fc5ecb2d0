"""LSTM baseline on the copy task — Graves et al. 2014, §4.1, Table 3.

Command:
  python -m experiments.train --config=experiments/configs/lstm_copy.py --workdir=/tmp/lstm_copy

Expected result: the paper's LSTM learns lengths 1–20 far more slowly than the
NTM and fails beyond the training lengths; this config's result: not yet measured.
Time: not yet measured.

Paper settings: 3 stacked LSTM layers of 256 units, RMSProp (momentum 0.9) at
learning rate 3e-5, batch size 1. Here: batch 32 and global-norm clipping.
"""

import ml_collections

from experiments import configs


def get_config(arg: str | None = None):
  configs.check_variant(arg)
  config = configs.base_config()
  config.model = ml_collections.ConfigDict()
  config.model.name = "lstm"  # a stack of LSTM cells with a dense read-out
  config.model.hidden_size = 256  # units per layer (Table 3)
  config.model.num_layers = 3  # stacked layers (Table 3)
  config.task.name = "copy"  # NTM §4.1
  config.task.kwargs.bits = 8  # 8-bit random vectors
  config.task.min_length = 1  # lengths uniform on 1..20
  config.task.max_length = 20
  config.task.eval_lengths = (10, 20, 30, 50, 80, 120)
  config.optimizer.learning_rate = 3e-5  # Table 3
  if arg == configs.SMOKE:
    configs.shrink(config)
  return config
