"""NTM (LSTM controller) on the copy task — Graves et al. 2014, §4.1, Table 2.

Command:
  python -m experiments.train --config=experiments/configs/ntm_copy.py --workdir=/tmp/ntm_copy
  (`:smoke` for a seconds-long check; `--config.num_seeds=4` for best-of-4.)

Paper: 100-unit LSTM controller, 1 read and 1 write head, memory 128 × 20,
shifts -1..+1, sequences of 1–20 random 8-bit vectors; RMSProp with momentum
0.9 at 1e-4, one sequence per step; it learns copy to near-zero cost and
generalises to lengths up to 120.

Differences: batch 32, Adam at 1e-3 (the paper's RMSProp solved later in our
runs), global-norm clipping at 10, constant memory initialisation (Collier &
Beel 2018), and a learning-rate drop on solving: once the training loss's
moving average is below 0.2 nats per step, the rate is 3e-5 for the rest of
the run (at 1e-3 a solved model keeps relapsing; docs/ntm_copy_collapse.md).

Expected: on the 2-core CPU, eight seeds at once (~8 steps/s) all reach 0
wrong bits on an evaluation (64 sequences of lengths 1–20) by step 500–1,400;
some relapse for a while after, a few seeds keep ~1 wrong bit per sequence
(docs/ntm_copy_collapse.md, docs/results.md; every run: docs/ntm_copy_runs.md).
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
  config.optimizer.name = "adam"  # solved ~3x sooner than the paper's RMSProp (docstring)
  config.optimizer.learning_rate = 1e-3  # the paper's RMSProp used 1e-4 (Table 2)
  config.optimizer.solved_loss = 0.2  # drop the learning rate once solved (relapses otherwise)
  config.optimizer.solved_scale = 0.03  # to 3e-5 (the paper's rate for its slower tasks)
  if arg == configs.SMOKE:
    configs.shrink(config)
  return config
