"""Every config file's `:smoke` variant trains through the library: finite loss, metrics written."""

import importlib
import json
import math
import pathlib

import pytest

from experiments import babi_run
from memnets import training

CONFIG_DIR = pathlib.Path(__file__).resolve().parents[2] / "experiments" / "configs"
NAMES = sorted(p.stem for p in CONFIG_DIR.glob("*.py") if p.stem != "__init__")


def test_all_paper_runs_have_configs():
  expected = {"ntm_copy", "lstm_copy", "ntm_repeat_copy", "ntm_associative_recall"}
  assert expected | {"ntm_ngrams", "ntm_priority_sort"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_smoke_variant_trains(name, tmp_path):
  module = importlib.import_module(f"experiments.configs.{name}")
  assert "python -m experiments.train " in module.__doc__
  config = module.get_config("smoke")
  if config.task.get("name") == "babi":  # bAbI trains by epochs over files (memnets.qa.training)
    summary = babi_run.run(config, tmp_path)
    assert set(summary["test_error_percent"]) == {"1"} and summary["epochs"] == 1
    rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert len(rows) == 1 and all(math.isfinite(row["valid_loss"]) for row in rows)
    return
  config.train.steps = 2
  config.train.eval_every = 0  # only the final evaluation
  summary = training.train_and_evaluate(config, tmp_path)
  assert summary["step"] == 2 and math.isfinite(summary["loss/mean"])
  rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
  assert rows and all(math.isfinite(row["loss"]) for row in rows)


def test_unknown_variant_fails():
  module = importlib.import_module("experiments.configs.ntm_copy")
  with pytest.raises(ValueError, match="variant"):
    module.get_config("huge")
