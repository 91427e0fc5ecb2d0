"""The transduction table: its rows, coarse and fine accuracy per seed, the chosen seed, a real run."""

import json

import numpy as np
import pytest

from experiments import configs, reproduction, rows, transduction_table
from experiments.configs import lstm_transduction, neural_stack_transduction
from memnets.tasks import transduction

LENGTHS = configs.TRANSDUCTION_SWEEP_LENGTHS


def fake_result(model, task, coarse, fine, losses):
  return {
    "row": transduction_table.row_name(model, task),
    "sweep": {"lengths": list(LENGTHS), "per_seed": coarse, "also": {"prefix_accuracy": fine}},
    "final_per_seed": {"loss": losses},
    "steps": 2000,
    "setting": f"{task}, {model}, sources of 8–64 symbols, batch 32",
  }


def test_every_model_has_a_row_on_every_task():
  assert set(transduction_table.TASKS) == set(transduction.TASKS)
  for model in transduction_table.MODELS:
    for task in transduction_table.TASKS:
      row = rows.ROWS[transduction_table.row_name(model, task)]
      config = row.build_config(2, 10)
      assert config.model.name == model and config.task.name == task
      assert (config.task.min_length, config.task.max_length) == (8, 64)
      if model != "lstm":
        assert config.model.pop_bias == -1.0 and config.model.memory_width == 256
      assert row.sweep_metric == "sequence_accuracy" and row.also == ("prefix_accuracy",)
  assert LENGTHS[0] == 8 and 64 in LENGTHS and 65 in LENGTHS and LENGTHS[-1] == 128


def test_scores_average_training_and_test_lengths_separately():
  train = np.asarray(LENGTHS) <= 64
  coarse = [np.where(train, 1.0, 0.25).tolist(), np.where(train, 0.5, 0.0).tolist()]
  fine = [np.where(train, 1.0, 0.5).tolist(), np.where(train, 0.75, 0.25).tolist()]
  result = fake_result("neural_stack", "transduction_reversal", coarse, fine, [0.3, 0.1])
  np.testing.assert_allclose(
    transduction_table.scores(result), [[1.0, 1.0, 0.25, 0.5], [0.5, 0.75, 0.0, 0.25]]
  )
  # The paper picks by training perplexity: the lower loss, not the better test score.
  assert transduction_table.selected_seed(result) == 1
  line = next(
    line
    for line in transduction_table.render([result]).splitlines()
    if "| transduction_reversal | `neural_stack` |" in line
  )
  cells = [cell.strip() for cell in line.strip("|").split("|")]
  assert cells[2:] == [
    "1.00 / 1.00", "1.00 / 1.00", "0.50 / 0.75", "**0.00 / 0.25**", "0.12 ± 0.12", "2 × 2,000 × 32",
  ]  # fmt: skip


def test_a_smoke_row_keeps_both_accuracies_and_the_training_losses(tmp_path):
  name = transduction_table.row_name("neural_queue", "transduction_copy")
  result = reproduction.run_row(rows.ROWS[name], 2, 6, tmp_path / "w", "test", smoke=True)
  assert len(result["sweep"]["also"]["prefix_accuracy"]) == 2
  assert len(result["final_per_seed"]["loss"]) == 2
  assert result["config"]["model"]["name"] == "neural_queue"
  results = tmp_path / "results"
  results.mkdir()
  (results / f"{name}.json").write_text(json.dumps(result))
  doc = tmp_path / "results.md"
  doc.write_text(reproduction.TABLE_DOC.read_text())
  reproduction.write_table(results, doc)
  table = doc.read_text().split(transduction_table.TRANSDUCTION_START)[1]
  assert "| transduction_copy | `neural_queue` |" in table and "SMOKE" in table


@pytest.mark.parametrize("module", [lstm_transduction, neural_stack_transduction])
def test_the_configs_smoke_variant_is_small(module):
  config = module.get_config("smoke")
  assert config.train.steps <= 10 and config.task.max_length <= 4
