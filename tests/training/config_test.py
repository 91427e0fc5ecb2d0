"""Tests of memnets.training.config: conversion, validation and bad input through the library."""


# (threefry sampling); numerics are unaffected at test tolerance.

import json
import re

import pytest

from experiments.configs import lstm_copy, ntm_copy
from memnets import training
from memnets.training import config as config_lib


def _smoke(**overrides):
  config = lstm_copy.get_config("smoke")
  for dotted, value in overrides.items():
    section, field = dotted.split("__")
    config[section][field] = value
  return config


def test_round_trip_through_dict():
  config = config_lib.from_mapping(ntm_copy.get_config())
  assert config_lib.from_mapping(config.to_dict()) == config
  assert config.model.kwargs["memory_size"] == 128
  assert config.train.num_seeds == 1


def test_top_level_num_seeds_is_train_num_seeds():
  raw = ntm_copy.get_config("smoke")
  raw.num_seeds = 3
  assert config_lib.from_mapping(raw).train.num_seeds == 3


def test_unknown_field_is_named():
  raw = _smoke().to_dict()
  raw["train"]["stepz"] = 3
  with pytest.raises(training.ConfigError, match=r"^train\.stepz"):
    config_lib.from_mapping(raw)


@pytest.mark.parametrize(
  ("overrides", "field"),
  [
    ({"task__name": "nope"}, "task.name"),
    ({"model__name": "nope"}, "model.name"),
    ({"train__steps": 0}, "train.steps"),
    ({"train__batch_size": -1}, "train.batch_size"),
    ({"task__min_length": 5}, "task.min_length"),  # max_length is 3 in smoke
    ({"optimizer__name": "sgd"}, "optimizer.name"),
    ({"optimizer__momentum": 1.5}, "optimizer.momentum"),
    ({"train__loss_reduction": "mean"}, "train.loss_reduction"),
    ({"train__outlier_cap": -1.0}, "train.outlier_cap"),
    ({"optimizer__solved_loss": -1.0}, "optimizer.solved_loss"),
    ({"optimizer__solved_loss": 0.2, "optimizer__solved_scale": 2.0}, "optimizer.solved_scale"),
    ({"optimizer__solved_schedule": "cosine"}, "optimizer.solved_schedule"),
    ({"optimizer__decay_shape": "linear"}, "optimizer.decay_shape"),
  ],
)
def test_bad_config_names_field_and_writes_nothing(tmp_path, overrides, field):
  workdir = tmp_path / "run"
  with pytest.raises(training.ConfigError, match="^" + re.escape(field)):
    training.train_and_evaluate(_smoke(**overrides), workdir)
  assert not workdir.exists()


def test_bad_model_size_is_a_config_error(tmp_path):
  raw = _smoke()
  raw.model.hidden_size = 0  # the cell rejects it at build time
  with pytest.raises(training.ConfigError, match=r"^model"):
    training.train_and_evaluate(raw, tmp_path / "run")


def test_batch_not_divisible_by_devices():
  config = config_lib.from_mapping(_smoke(train__batch_size=6, train__eval_batch_size=12))
  with pytest.raises(training.ConfigError, match=r"^train\.batch_size"):
    config_lib.validate(config, num_devices=4)
  config_lib.validate(config, num_devices=3)  # fine
  seeds = config_lib.from_mapping(_smoke(train__batch_size=6, train__num_seeds=4))
  config_lib.validate(seeds, num_devices=4)  # seeds split over devices instead


def test_missing_parent_workdir(tmp_path):
  with pytest.raises(training.ConfigError, match=r"^workdir"):
    training.train_and_evaluate(_smoke(), tmp_path / "missing" / "run")
  assert not (tmp_path / "missing").exists()


def test_workdir_with_other_config_is_untouched(tmp_path):
  saved = config_lib.from_mapping(_smoke())
  (tmp_path / "config.json").write_text(json.dumps(saved.to_dict()))
  (tmp_path / "metrics.jsonl").write_text('{"step": 2, "loss": 1.0}\n')
  before = {p.name: p.read_text() for p in tmp_path.iterdir()}
  other = _smoke()
  other.model.hidden_size = 16
  with pytest.raises(training.ConfigError, match=r"^model\.hidden_size"):
    training.train_and_evaluate(other, tmp_path)
  assert {p.name: p.read_text() for p in tmp_path.iterdir()} == before


def test_resumable_fields_may_differ():
  saved = config_lib.from_mapping(_smoke()).to_dict()
  longer = config_lib.from_mapping(_smoke(train__steps=100, train__log_every=5))
  config_lib.check_resumable(saved, longer)
  changed = config_lib.from_mapping(_smoke(optimizer__learning_rate=0.5))
  with pytest.raises(training.ConfigError, match=r"^optimizer\.learning_rate"):
    config_lib.check_resumable(saved, changed)
