"""NTM (LSTM controller) on repeat copy — Graves et al. 2014, §4.2, Table 2.

Command:
  python -m experiments.train --config=experiments/configs/ntm_repeat_copy.py \
    --workdir=/tmp/ntm_repeat_copy

Expected result: the paper's NTM learns to repeat sequences of 1–10 vectors
1–10 times and partly generalises to longer sequences and more repeats; this
config's result: not yet measured.
Time: not yet measured.

Paper settings: 100-unit LSTM controller, 1 read and 1 write head, memory
128 × 20, RMSProp (momentum 0.9) at learning rate 1e-4, batch size 1. Here:
batch 32 and global-norm clipping.
"""

from experiments import configs


def get_config(arg: str | None = None):
  configs.check_variant(arg)
  config = configs.base_config()
  config.model = configs.ntm_model()  # as for copy (Table 2)
  config.task.name = "repeat_copy"  # NTM §4.2
  config.task.kwargs.bits = 8  # 8-bit random vectors
  config.task.kwargs.repeats = (1, 10)  # repeat counts uniform on 1..10
  config.task.min_length = 1  # sequence lengths uniform on 1..10
  config.task.max_length = 10
  config.task.eval_lengths = (5, 10, 15, 20)
  config.optimizer.learning_rate = 1e-4  # Table 2
  if arg == configs.SMOKE:
    configs.shrink(config)
    config.task.kwargs.repeats = (1, 2)
  return config
