"""MemN2N training by epochs on bAbI (memnets/qa/training.py) and the train_babi binary."""

import json

import pytest
from conftest import Binaries
from flax import nnx

from memnets.qa import MemN2N, training
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
    "experiments.train_babi", "--config=experiments/configs/memn2n_babi.py:smoke",
    f"--workdir={tmp_path}",
  )  # fmt: skip
  assert run.returncode != 0 and "summary.json exists" in run.stderr
  assert json.loads((tmp_path / "summary.json").read_text()) == {"kept": True}
