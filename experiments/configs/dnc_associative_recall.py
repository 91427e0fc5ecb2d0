"""DNC (LSTM controller) on the NTM paper's associative recall, beside `ntm_associative_recall`.

Command:
  python -m experiments.train --config=experiments/configs/dnc_associative_recall.py \
    --workdir=/tmp/dnc_associative_recall

Paper: no DNC run of this task is published; this is the NTM paper's §4.3
(2–6 items of three 6-bit vectors, tested up to 20 items) with the NTM's
budget: its controller (100 LSTM units), memory (128 × 20), one read head,
and `ntm_associative_recall`'s training settings (RMSProp at 1e-4; the
reproduction row trains with Adam at 1e-3, as the NTM's does).

Expected: not yet measured (docs/results.md has the row's figures).
"""

from experiments import configs
from experiments.configs import ntm_associative_recall


def get_config(arg: str | None = None):
  configs.check_variant(arg)
  config = ntm_associative_recall.get_config()  # task and training of the NTM run
  config.model = configs.dnc_model(
    controller_size=100,
    memory_size=128,
    word_size=20,
    num_read_heads=1,  # the NTM's sizes
  )
  if arg == configs.SMOKE:
    configs.shrink(config, min_length=2, max_length=3)
    config.task.kwargs.item_size = 1
  return config
