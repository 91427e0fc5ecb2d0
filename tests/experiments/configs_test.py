"""Every config file's `:smoke` variant trains through the library: finite loss, metrics written.

The first config (by name) of each model trains for two steps; the others,
which differ from it in the task and the sizes, have their training and
evaluation programs traced (`jax.eval_shape`: every shape and config field
checked, no compilation).
"""

import importlib
import json
import math
import pathlib

import jax
import pytest

from experiments import babi_run, runners
from memnets import training
from memnets.training import checkpoints, optimizers
from memnets.training import config as config_lib
from memnets.training import state as state_lib
from memnets.training import step as step_lib

CONFIG_DIR = pathlib.Path(__file__).resolve().parents[2] / "experiments" / "configs"
NAMES = sorted(p.stem for p in CONFIG_DIR.glob("*.py") if p.stem != "__init__")


def _smoke(name):
  return importlib.import_module(f"experiments.configs.{name}").get_config("smoke")


def _first_of_its_model() -> set[str]:
  seen, first = set(), set()
  for name in NAMES:
    config = _smoke(name)
    model = (config.task.get("name") == "babi", config.model.get("name", config.task.get("name")))
    if model not in seen:
      seen.add(model)
      first.add(name)
  return first


TRAINED = _first_of_its_model()


def test_all_paper_runs_have_configs():
  expected = {"ntm_copy", "lstm_copy", "ntm_repeat_copy", "ntm_associative_recall"}
  assert expected | {"ntm_ngrams", "ntm_priority_sort"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_smoke_variant_trains(name, tmp_path):
  module = importlib.import_module(f"experiments.configs.{name}")
  assert "python -m experiments.train " in module.__doc__
  config = module.get_config("smoke")
  if runners.find(config) is not None and config.task.get("name") != "babi":
    # Trained by its own runner; the runner's tests train this smoke variant
    # (tests/experiments/lm_run_test.py, tests/word2vec/run_test.py, ...).
    assert runners.find(config).__module__ in runners.RUNNERS.values()
    return
  if config.task.get("name") == "babi":  # bAbI trains by epochs over files (memnets.qa.training)
    summary = babi_run.run(config, tmp_path)
    assert set(summary["test_error_percent"]) == {"1"} and summary["epochs"] == 1
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert len(rows) == 1 and all(math.isfinite(row["valid_loss"]) for row in rows)
    return
  config.train.steps = 2
  config.train.eval_every = 0  # only the final evaluation
  if name not in TRAINED:
    _trace(config)
    return
  summary = training.train_and_evaluate(config, tmp_path)
  assert summary["step"] == 2 and math.isfinite(summary["loss/mean"])
  rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
  assert rows and all(math.isfinite(row["loss"]) for row in rows)


def _trace(config):
  config = config_lib.from_mapping(config)
  config_lib.validate(config)
  task = config_lib.build_task(config)
  optimizer = optimizers.make(config.optimizer)
  steps = step_lib.Steps(config, task, state_lib.graphdef(config, task), optimizer)
  state = checkpoints.abstract_state(config, task, optimizer)
  new_state, metrics = jax.eval_shape(steps._train_chunk, state, 2, steps.seeds)
  assert jax.tree.structure(new_state) == jax.tree.structure(state)
  assert metrics["loss"].shape == (config.train.num_seeds,)
  assert jax.eval_shape(steps._evaluate_seeds, state, steps.seeds)


def test_unknown_variant_fails():
  module = importlib.import_module("experiments.configs.ntm_copy")
  with pytest.raises(ValueError, match="variant"):
    module.get_config("huge")
