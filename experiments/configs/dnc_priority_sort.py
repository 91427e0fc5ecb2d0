"""DNC (LSTM controller) on the NTM paper's priority sort, beside `ntm_priority_sort`.

Command:
  python -m experiments.train --config=experiments/configs/dnc_priority_sort.py \
    --workdir=/tmp/dnc_priority_sort

Paper: no DNC run of this task is published; this is the NTM paper's §4.5
(20 prioritised 8-bit vectors in, the 16 of highest priority out, sorted)
with the NTM's budget: its two-layer controller of 100 LSTM units, memory
128 × 20 and five read heads (the NTM has five read and five write heads;
the DNC has one write head), and `ntm_priority_sort`'s training settings.

Expected: not yet measured (docs/results.md has the row's figures).
"""

from experiments import configs
from experiments.configs import ntm_priority_sort


def get_config(arg: str | None = None):
  configs.check_variant(arg)
  config = ntm_priority_sort.get_config()  # task and training of the NTM run
  config.model = configs.dnc_model(
    controller_size=100,
    controller_layers=2,  # the NTM's 2 x 100 LSTM controller
    memory_size=128,
    word_size=20,
    num_read_heads=5,  # the NTM's five read heads
  )
  if arg == configs.SMOKE:
    config.task.kwargs.num_outputs = 2
    configs.shrink(config, min_length=3, max_length=4)
    config.model.num_read_heads = 2
  return config
