"""DNC on a Chomsky-hierarchy task, beside Delétang et al. 2023's Table 2.

Command:
  python -m experiments.train --config=experiments/configs/dnc_chomsky.py \\
    --config.task.name=reverse_string --workdir=/tmp/dnc_reverse_string
  (`:smoke` for a seconds-long check.)

Paper: the Chomsky paper has no DNC; memnets adds it under that paper's
protocol (`configs.chomsky_config`), with `dnc_copy`'s sizes (100-unit LSTM
controller, 128 × 20 memory, one read head). A test longer than 128 steps
writes more words than the memory has slots.

Expected: no published number.
"""

from experiments import configs


def get_config(arg: str | None = None):
  model = configs.dnc_model(controller_size=100, memory_size=128, word_size=20, num_read_heads=1)
  return configs.chomsky_config(model, arg)
