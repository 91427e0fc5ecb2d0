"""NTM on a Chomsky-hierarchy task, beside Delétang et al. 2023's Table 2.

Command:
  python -m experiments.train --config=experiments/configs/ntm_chomsky.py \\
    --config.task.name=reverse_string --workdir=/tmp/ntm_reverse_string
  (`:smoke` for a seconds-long check.)

Paper: the Chomsky paper has no NTM; memnets adds it under that paper's
protocol (`configs.chomsky_config`), with the copy NTM's sizes (100-unit
LSTM controller, 128 × 20 memory, one read and one write head). Its memory
does not grow with the run: tests longer than 128 steps wrap the heads'
shifts round the memory.

Expected: no published number.
"""

from experiments import configs


def get_config(arg: str | None = None):
  return configs.chomsky_config(configs.ntm_model(), arg)
