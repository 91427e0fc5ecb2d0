"""NTM (LSTM controller) on dynamic n-grams — Graves et al. 2014, §4.4, Table 2.

Command:
  python -m experiments.train --config=experiments/configs/ntm_ngrams.py --workdir=/tmp/ntm_ngrams

Expected result: the paper's NTM gets close to the Bayes-optimal estimator's
cost on 200-bit sequences of random 6-gram distributions, slightly better than
LSTM; this config's result: not yet measured.
Time: not yet measured.

Paper settings: 100-unit LSTM controller, 1 read and 1 write head, memory
128 × 20, RMSProp (momentum 0.9) at learning rate 1e-4 (Table 2), 200-bit
sequences, batch size 1. Here: batch 32 and global-norm clipping.
"""

from experiments import configs


def get_config(arg: str | None = None):
  configs.check_variant(arg)
  config = configs.base_config()
  config.model = configs.ntm_model()  # Table 2
  config.task.name = "ngrams"  # NTM §4.4
  config.task.kwargs = {}  # the task has no size arguments (6-grams of bits)
  config.task.curriculum = "fixed"  # every sequence has 200 bits
  config.task.min_length = 200
  config.task.max_length = 200
  config.task.eval_lengths = (200,)
  config.optimizer.learning_rate = 1e-4  # Table 2
  if arg == configs.SMOKE:
    configs.shrink(config, min_length=8, max_length=10)
  return config
