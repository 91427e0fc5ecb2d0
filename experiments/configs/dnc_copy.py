"""DNC (LSTM controller) on the NTM paper's copy task, beside `ntm_copy`.

Command:
  python -m experiments.train --config=experiments/configs/dnc_copy.py --workdir=/tmp/dnc_copy
  (`:smoke` for a seconds-long check; `--config.num_seeds=4` for best-of-4.)

Paper: the DNC paper's copy runs (Graves et al. 2016, Extended Data Figs. 1
and 4; Fig. 4: a feedforward controller on up to 100 six-bit vectors, dense
against sparse links over 20 runs) are learning curves, not a number; this
is the NTM paper's copy (§4.1: sequences of 1–20 random 8-bit vectors, tested
up to length 120) with the NTM's budget, so that the two memories are
compared on one protocol: the NTM's controller (100 LSTM units), memory (128 × 20), one
read head, and `ntm_copy`'s optimiser, learning-rate drop on solving and
outlier cap, except Adam's ε: 1e-8 (Adam's default) instead of the NTM's
1e-3. The DNC's gradients are small at the start (most of them reach the
parameters through the memory's gates), and ε = 1e-3 damps their steps so far
that the DNC learned copy no faster than an LSTM; with 1e-8 it solves it
within ~500 steps (docs/results.md). DeepMind's clips of the controller
output and logits at 20.

Expected: ~0.1 wrong bits per sequence by step 500–600 on one seed
(docs/results.md has the row's figures).
"""

from experiments import configs
from experiments.configs import ntm_copy


def get_config(arg: str | None = None):
  configs.check_variant(arg)
  config = ntm_copy.get_config()  # task, optimiser and training protocol of the NTM row
  config.optimizer.eps = 1e-8  # not the NTM's 1e-3, which stalls the DNC (docstring)
  config.model = configs.dnc_model(
    controller_size=100,  # the NTM's controller
    memory_size=128,  # the NTM's memory, 128 x 20
    word_size=20,
    num_read_heads=1,  # the NTM's one read head
  )
  if arg == configs.SMOKE:
    configs.shrink(config)
  return config
