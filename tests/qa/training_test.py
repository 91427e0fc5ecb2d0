"""MemN2N training by epochs on bAbI (memnets/qa/training.py) and the bAbI path of experiments.train."""

import json

import numpy as np
import pytest
from conftest import Binaries
from flax import nnx

from memnets.qa import DMNPlus, MemN2N, training
from memnets.tasks import babi
from memnets.tasks.babi import generate


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
  root = tmp_path_factory.mktemp("babi")
  generate.write_dataset(root, [1], ["en"], seed=0)
  return babi.load_experiment(root / "en", [1], max_sentences=10)


def small(data):
  return MemN2N(len(data.vocab), dim=8, hops=2, max_sentences=10, rngs=nnx.Rngs(0))


def test_the_linear_start_runs_first_then_the_rate_halves_on_schedule(generated):
  settings = training.Settings(epochs=4, halve_every=1, random_noise=0.0)
  _, summary = training.train(small(generated), generated, settings)
  history = summary["history"]
  assert history[0]["softmax"] is False and history[0]["learning_rate"] == 0.005
  ls = summary["linear_start_epochs"]
  assert all(not r["softmax"] and r["learning_rate"] == 0.005 for r in history[:ls])
  for epoch, record in enumerate(history[ls:], start=ls):  # the softmax stays on once back
    assert record["softmax"] and record["learning_rate"] == pytest.approx(0.01 * 0.5**epoch)
  assert set(summary["test_error_percent"]) == {"1"} and summary["epochs"] == 4
  assert 0 <= summary["mean_test_error_percent"] <= 100 and summary["failed_tasks"] in (0, 1)


def test_a_fixed_linear_start_lasts_its_epochs(generated):
  settings = training.Settings(epochs=4, linear_start_epochs=3, random_noise=0.0)
  _, summary = training.train(small(generated), generated, settings)
  assert [r["softmax"] for r in summary["history"]] == [False, False, False, True]
  assert summary["linear_start_epochs"] == 3


def test_the_binary_refuses_a_workdir_with_a_result(tmp_path):
  (tmp_path / "summary.json").write_text('{"kept": true}')
  run = Binaries().run(
    "experiments.train", "--config=experiments/configs/memn2n_babi.py:smoke",
    f"--workdir={tmp_path}",
  )  # fmt: skip
  assert run.returncode != 0 and "summary.json exists" in run.stderr
  assert json.loads((tmp_path / "summary.json").read_text()) == {"kept": True}


def test_settings_a_model_has_no_use_for_are_refused(generated):
  dmn = DMNPlus(len(generated.vocab), dim=4, passes=1, rngs=nnx.Rngs(0))
  with pytest.raises(ValueError, match="train.linear_start: a MemN2N's option"):
    training.train(dmn, generated, training.Settings(epochs=1, random_noise=0.0))
  with pytest.raises(ValueError, match="train.optimizer: unknown 'lbfgs'"):
    training.train(small(generated), generated, training.Settings(optimizer="lbfgs"))
  with pytest.raises(ValueError, match="train.keep_best: not with a linear start"):
    training.train(small(generated), generated, training.Settings(keep_best=True))


def test_early_stopping_and_the_kept_epoch_for_adam_with_weight_decay(generated):
  dmn = DMNPlus(len(generated.vocab), dim=4, passes=1, rngs=nnx.Rngs(0))
  settings = training.Settings(
    epochs=30, batch_size=64, optimizer="adam", learning_rate=0.05, halve_every=0,
    weight_decay=0.01, patience=2, keep_best=True, linear_start=False, random_noise=0.0,
  )  # fmt: skip
  params, summary = training.train(dmn, generated, settings)
  history = summary["history"]
  losses = [r["valid_loss"] for r in history]
  best = int(np.argmin(losses))
  assert all(r["learning_rate"] == 0.05 for r in history)
  assert len(history) == best + 1 + 2 < 30  # stopped 2 epochs after the lowest valid loss
  assert summary["best_valid_epoch"] == best + 1
  # The kept parameters are the best epoch's: their validation loss is that epoch's.
  graphdef = nnx.split(dmn, nnx.Param)[0]
  loss, _ = training._evaluate(graphdef, params, generated.splits["valid"], True)
  assert loss == pytest.approx(losses[best], rel=1e-5)


def test_weight_decay_skips_the_biases():
  params = {"dense": {"kernel": 1.0, "bias": 1.0}, "embedding": 1.0}
  assert training._weights_only(params) == {
    "dense": {"kernel": True, "bias": False}, "embedding": True,
  }  # fmt: skip
