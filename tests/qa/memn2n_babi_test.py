"""A MemN2N trained on the real bAbI task 1 answers well above chance (needs ../shared/babi)."""

import pathlib

import numpy as np
import pytest
from flax import nnx

from memnets.qa import MemN2N, training
from memnets.tasks import babi

EN = pathlib.Path(__file__).resolve().parents[3] / "shared" / "babi" / "en"


@pytest.mark.skipif(not EN.is_dir(), reason=f"the bAbI release is not at {EN.parent} (its README)")
def test_twelve_epochs_on_task_1_answer_well_above_chance():
  data = babi.load_experiment(EN, [1], max_sentences=50)
  model = MemN2N(len(data.vocab), dim=20, hops=3, max_sentences=50, rngs=nnx.Rngs(0))
  # The paper's SGD settings without the linear start (which needs more epochs to pay off).
  settings = training.Settings(epochs=12, linear_start=False, random_noise=0.0)
  _, summary = training.train(model, data, settings)
  chance = 100 * (1 - 1 / len(np.unique(data.splits["test"].answers)))  # six places: 83% error
  assert summary["test_error_percent"]["1"] < 50 < chance, summary["test_error_percent"]
