"""The rows of the reproduction table: a paper result and the protocol that measures it.

Each `Row` names a config file of experiments/configs with overrides, how
long to train and how many seeds, what to evaluate, and the published number
with its statistic (a single run, best-of-N or a mean). `python -m
experiments.reproduce ROW` runs one; docs/results.md shows them all.
"""

import dataclasses
import importlib
from typing import Any

import ml_collections

NTM_PAPER = "Graves et al. 2014 (NTM)"
COPY_LENGTHS = (10, 20, 30, 50, 80, 120)


@dataclasses.dataclass(frozen=True)
class Row:
  """One row: what to run, how to score it, and the published number.

  Fields:
    name: the row's key (`results/<name>.json`).
    paper, setting, published, published_statistic: the table's text.
    config: module name in experiments/configs; overrides: dotted field → value.
    seeds, steps: defaults of --seeds and --steps.
    eval_every, eval_sequences: evaluation period and fresh sequences per seed.
    metric, metric_description: the summary metric (a key of the evaluation).
    sweep_lengths, sweep_sequences, sweep_metric: the generalisation sweep.
    solved_below, solve_within, relapse_above: the solve criterion: the first
      evaluation at or below `solved_below`, counted if by step
      `solve_within`, stable if no later evaluation exceeds `relapse_above`
      (None: no criterion).
    note: what differs from the paper, said in the table's JSON.
  """

  name: str
  paper: str
  setting: str
  published: str
  published_statistic: str
  config: str
  overrides: dict[str, Any] = dataclasses.field(default_factory=dict)
  seeds: int = 10
  steps: int = 10_000
  eval_every: int = 100
  eval_sequences: int = 1000
  metric: str = "bit_errors"
  metric_description: str = "wrong bits per sequence, lengths of training"
  sweep_lengths: tuple[int, ...] = COPY_LENGTHS
  sweep_sequences: int = 1000
  sweep_metric: str = "bit_errors"
  solved_below: float | None = None
  solve_within: int = 0
  relapse_above: float = 0.0
  note: str = ""

  def build_config(self, seeds: int, steps: int, smoke: bool = False) -> ml_collections.ConfigDict:
    """The row's config: the file's, its overrides, and the protocol's train fields.

    `smoke`: the file's `:smoke` variant (tiny model, short sequences), for
    checking the protocol in seconds; its evaluation is the variant's.
    """
    module = importlib.import_module(f"experiments.configs.{self.config}")
    config = module.get_config("smoke" if smoke else None)
    for dotted, value in self.overrides.items():
      section, _, field = dotted.rpartition(".")
      target = config
      for part in section.split(".") if section else []:
        target = target[part]
      if field not in target:
        raise KeyError(f"row {self.name}: override {dotted!r} names no field of {self.config}")
      target[field] = value
    config.num_seeds = seeds
    config.train.steps = steps
    if smoke:
      return config
    config.train.eval_every = self.eval_every
    config.train.log_every = self.eval_every
    config.train.eval_batch_size = self.eval_sequences
    config.train.checkpoint_every = max(self.eval_every, min(1000, steps))
    return config


def _lstm_model(hidden_size: int, num_layers: int) -> ml_collections.ConfigDict:
  return ml_collections.ConfigDict(
    {"name": "lstm", "hidden_size": hidden_size, "num_layers": num_layers}
  )


_COPY = dict(
  paper=NTM_PAPER + " §4.1, Figs. 3–4",
  metric_description="wrong bits per sequence, lengths 1–20",
  solved_below=0.01,
  solve_within=3000,
  relapse_above=0.1,
)

ROWS: dict[str, Row] = {
  row.name: row
  for row in [
    Row(
      name="ntm_copy",
      setting="copy, NTM, LSTM controller (100), memory 128 × 20, lengths 1–20, batch 32",
      published="cost per sequence near 0 after ~200k sequences; few errors up to length 120",
      published_statistic="one run's learning curve",
      config="ntm_copy",
      **_COPY,
    ),
    Row(
      name="ntm_ff_copy",
      setting="copy, NTM, feed-forward controller (100), memory 128 × 20, lengths 1–20, batch 32",
      published="cost per sequence near 0 after ~200k sequences; generalises to longer lengths",
      published_statistic="one run's learning curve",
      config="ntm_copy",
      overrides={"model.controller": "feedforward"},
      **_COPY,
    ),
    Row(
      name="lstm_copy",
      setting="copy, LSTM 3 × 256, lengths 1–20, batch 32",
      published="learns far more slowly than the NTM; fails beyond length 20",
      published_statistic="one run's learning curve",
      config="lstm_copy",
      **_COPY,
    ),
  ]
}
