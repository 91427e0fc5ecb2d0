"""Speed of the digits classifiers (`experiments/configs/digits_rows.py`) at their own sizes.

`experiments.benchmark --model=lstm --task=digits --length=8` already times an
LSTM on the row scan, but with `lstm_copy`'s model and the task's default
kwargs; `measure` times the digits config itself, so the pixel scan (T = 64,
I = 1) and the bidirectional classifier are reachable too, and returns
`timing.measure`'s JSON row.
"""

from typing import Any

from experiments.benchmarks import timing
from experiments.configs import digits_rows
from memnets.training import config as config_lib

# (config variant, model name) of the five runs the config's docstring names.
CASES = (
  ("", "rnn"),
  ("", "gru"),
  ("", "lstm"),
  ("bidirectional", "bidirectional"),
  ("pixels", "lstm"),
)


def case_config(variant: str, model: str, batch_size: int | None = None) -> config_lib.Config:
  """The digits config of `variant` with `model` (and `batch_size`, default the config's)."""
  config = digits_rows.get_config(variant)
  config.model.name = model
  if batch_size is not None:
    config.train.batch_size = batch_size
  return config_lib.from_mapping(config)


def measure(variant: str, model: str, **kwargs) -> dict[str, Any]:
  """`timing.measure` of one case (`kwargs`: num_steps, budget_s, ...), with its variant named."""
  row = timing.measure(case_config(variant, model), **kwargs)
  row["variant"] = variant or "rows"
  return row


def measure_model(model: str, batch_size: int, *, tiny: bool = False, **kwargs) -> dict[str, Any]:
  """`experiments.benchmark`'s case: the row scan with `model` ("bidirectional": its variant)."""
  variants = ["bidirectional"] if model == "bidirectional" else []
  config = case_config(",".join(variants + ["smoke"] * tiny), model, batch_size)
  row = timing.measure(config, **kwargs)
  row["variant"] = "rows"
  return row
