"""`Row`: one entry of the reproduction table, a paper result and the protocol that measures it."""

import dataclasses
import importlib
from typing import Any

import ml_collections

from memnets.training import evaluation

COPY_LENGTHS = (10, 20, 30, 50, 80, 120)  # the NTM paper's copy lengths, the default sweep


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
    sweep_batch_size: sweep sequences per compiled call (smaller for models whose
      memory grows with the square of the length, e.g. the Transformer).
    also: further sweep metrics kept per seed (e.g. coarse and fine accuracy together).
    solved_below, solve_within, relapse_above: the solve criterion: the first
      evaluation at or below `solved_below`, counted if by step
      `solve_within`, stable if no later evaluation exceeds `relapse_above`
      (None: no criterion).
    reference: what the metric is compared with, computed by the run (e.g.
      the n-gram task's Bayes-optimal cost): `(description, function of the
      row's config → number)`, or None.
    note: what differs from the paper, said in the table and the JSON.
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
  sweep_batch_size: int = evaluation.DEFAULT_BATCH_SIZE
  also: tuple[str, ...] = ()
  solved_below: float | None = None
  solve_within: int = 0
  relapse_above: float = 0.0
  reference: tuple[str, Any] | None = None
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
      # A dict replaces a whole section (e.g. "model": an LSTM instead of the NTM).
      target[field] = ml_collections.ConfigDict(value) if isinstance(value, dict) else value
    config.num_seeds = seeds
    config.train.steps = steps
    if smoke:
      return config
    config.train.eval_every = self.eval_every
    config.train.log_every = self.eval_every
    config.train.eval_batch_size = self.eval_sequences
    config.train.checkpoint_every = max(self.eval_every, min(1000, steps))
    return config
