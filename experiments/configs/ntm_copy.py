"""NTM (LSTM controller) on the copy task — Graves et al. 2014, §4.1, Table 2.

Command:
  python -m experiments.train --config=experiments/configs/ntm_copy.py --workdir=/tmp/ntm_copy
  (`:smoke` for a seconds-long check; `--config.num_seeds=4` for best-of-4.)

Expected result: the paper's NTM reaches near-zero cost on lengths 1–20 within
~200k single-sequence steps and copies sequences much longer than it was
trained on; this config's curve and time: not yet measured.
Time: not yet measured.

Paper settings: 100-unit LSTM controller, 1 read and 1 write head, memory
128 × 20, RMSProp (momentum 0.9) at learning rate 1e-4, lengths 1–20 of 8-bit
vectors, batch size 1. Here: batch 32 and global-norm clipping (see
experiments/configs/__init__.py).
"""

from experiments import configs


def get_config(arg: str | None = None):
  configs.check_variant(arg)
  config = configs.base_config()
  config.model = configs.ntm_model()  # 100-unit LSTM controller, 128 x 20 memory, 1 + 1 heads
  config.task.name = "copy"  # NTM §4.1
  config.task.kwargs.bits = 8  # 8-bit random vectors
  config.task.min_length = 1  # paper: lengths uniform on 1..20
  config.task.max_length = 20
  config.task.eval_lengths = (10, 20, 30, 50, 80, 120)  # paper tests up to 120
  config.optimizer.learning_rate = 1e-4  # Table 2
  if arg == configs.SMOKE:
    configs.shrink(config)
  return config
