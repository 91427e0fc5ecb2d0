"""NTM (LSTM controller) on associative recall — Graves et al. 2014, §4.3, Table 2.

Command:
  python -m experiments.train --config=experiments/configs/ntm_associative_recall.py \
    --workdir=/tmp/ntm_associative_recall

Expected result: the paper's NTM learns recall from 2–6 items of three 6-bit
vectors much faster than LSTM and generalises to more items; this config's
result: not yet measured.
Time: not yet measured.

Paper settings: 100-unit LSTM controller, 1 read and 1 write head, memory
128 × 20, RMSProp (momentum 0.9) at learning rate 1e-4, batch size 1. Here:
batch 32 and global-norm clipping.
"""

from experiments import configs


def get_config(arg: str | None = None):
  configs.check_variant(arg)
  config = configs.base_config()
  config.model = configs.ntm_model()  # Table 2
  config.task.name = "associative_recall"  # NTM §4.3
  config.task.kwargs = {"bits": 6, "item_size": 3}  # items of three 6-bit vectors
  config.task.min_length = 2  # number of items uniform on 2..6
  config.task.max_length = 6
  config.task.eval_lengths = (6, 8, 10, 12, 15, 20)
  config.optimizer.learning_rate = 1e-4  # Table 2
  if arg == configs.SMOKE:
    configs.shrink(config, min_length=2, max_length=3)
    config.task.kwargs.item_size = 1
  return config
