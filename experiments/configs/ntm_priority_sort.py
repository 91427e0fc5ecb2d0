"""NTM (LSTM controller) on priority sort — Graves et al. 2014, §4.5, Table 2.

Command:
  python -m experiments.train --config=experiments/configs/ntm_priority_sort.py \
    --workdir=/tmp/ntm_priority_sort

Expected result: the paper's NTM learns to output the 16 highest-priority of
20 input vectors in order, well below LSTM's cost; this config's result: not
yet measured.
Time: not yet measured.

Paper settings: 2 × 100-unit LSTM controller, 5 heads, memory 128 × 20,
RMSProp (momentum 0.9) at learning rate 3e-5, batch size 1. Here: 5 read and
5 write heads, the paper's shift range is not stated for this task so we keep
3 shifts, batch 32 and global-norm clipping.
"""

from experiments import configs


def get_config(arg: str | None = None):
  configs.check_variant(arg)
  config = configs.base_config()
  config.model = configs.ntm_model(
    controller_layers=2,  # Table 2: 2 x 100 LSTM controller
    num_read_heads=5,  # Table 2: 5 heads
    num_write_heads=5,
  )
  config.task.name = "priority_sort"  # NTM §4.5
  config.task.kwargs = {"bits": 8, "num_outputs": 16}  # 8-bit vectors, sort the top 16
  config.task.curriculum = "fixed"  # 20 inputs per sequence
  config.task.min_length = 20
  config.task.max_length = 20
  config.task.eval_lengths = (16, 20, 24, 32)
  config.optimizer.learning_rate = 3e-5  # Table 2
  if arg == configs.SMOKE:
    config.task.kwargs.num_outputs = 2
    configs.shrink(config, min_length=3, max_length=4)
    config.model.num_read_heads = 2
    config.model.num_write_heads = 2
  return config
