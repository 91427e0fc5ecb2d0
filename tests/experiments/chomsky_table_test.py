"""The Chomsky grid: its rows, the paper's score per seed, and the rendered cells."""

import shutil

import pytest

from experiments import chomsky_table, configs, reproduction, rows
from memnets.tasks import chomsky


def fake_result(model, task, per_seed, steps=2000, smoke=False):
  return {
    "row": chomsky_table.row_name(model, task),
    "sweep": {"per_seed": per_seed, "lengths": [41, 500]},
    "steps": steps,
    "setting": f"{task}, {model}, training lengths 1–40, batch 128",
    "smoke": smoke,
  }


def test_every_model_has_a_row_on_every_task_with_the_papers_protocol():
  assert set(chomsky_table.TASKS) == set(chomsky.TASKS)
  for model in chomsky_table.MODELS:
    for task in chomsky_table.TASKS:
      row = rows.ROWS[chomsky_table.row_name(model, task)]
      assert row.config == f"{model}_chomsky" and row.overrides["task.name"] == task
      if model == "ndstack_rnn":  # its O(T³) forward pass: lengths 41–200
        assert row.sweep_lengths == chomsky_table.NDSTACK_SWEEP_LENGTHS
        assert row.overrides["train.batch_size"] == 16  # the paper's
      else:
        assert row.sweep_lengths == configs.CHOMSKY_SWEEP_LENGTHS
        assert row.overrides["train.batch_size"] in (32, 128)
      assert row.metric == row.sweep_metric == "token_accuracy"
  assert configs.CHOMSKY_SWEEP_LENGTHS[0] == 41 and configs.CHOMSKY_SWEEP_LENGTHS[-1] == 500
  assert (
    chomsky_table.NDSTACK_SWEEP_LENGTHS[0] == 41 and chomsky_table.NDSTACK_SWEEP_LENGTHS[-1] == 200
  )


def test_a_score_is_the_accuracy_averaged_over_the_test_lengths():
  result = fake_result("rnn", "parity_check", [[1.0, 0.5], [0.5, 0.5]])
  assert chomsky_table.scores(result).tolist() == pytest.approx([75.0, 50.0])


def test_cells_show_the_best_seed_the_paper_and_the_spread():
  results = [
    fake_result("stack_rnn", "reverse_string", [[1.0, 0.9], [0.6, 0.6]]),
    fake_result("ntm", "reverse_string", [[0.7, 0.5]], smoke=True),
  ]
  line = next(
    line for line in chomsky_table.render(results).splitlines() if "| reverse_string |" in line
  )
  cells = [cell.strip() for cell in line.strip("|").split("|")][1:]
  by_model = dict(zip(chomsky_table.MODELS, cells, strict=True))
  assert by_model["stack_rnn"] == "**95.0** (100.0); 77.5 ± 17.5, 2×2,000×128"
  assert by_model["ntm"] == "**60.0** (–); one seed, 1×2,000×128 SMOKE"
  assert by_model["rnn"] == "· (62.0)"


def test_the_table_command_writes_both_tables(tmp_path):
  doc = tmp_path / "results.md"
  shutil.copy(reproduction.TABLE_DOC, doc)
  results = tmp_path / "results"
  results.mkdir()
  reproduction.write_table(results, doc)
  text = doc.read_text()
  grid = text.split(chomsky_table.CHOMSKY_START)[1].split(chomsky_table.CHOMSKY_END)[0]
  assert grid.count("\n| ") == 2 + len(chomsky_table.TASKS)  # header, rule, one per task
  doc.write_text(text.replace(chomsky_table.CHOMSKY_END, ""))
  with pytest.raises(SystemExit, match="lacks the markers"):
    reproduction.write_table(results, doc)


def test_the_task_figure_draws_a_line_per_model(tmp_path):
  results = [
    fake_result("stack_rnn", "reverse_string", [[1.0, 0.9], [0.6, 0.6]]),
    fake_result("lstm", "reverse_string", [[0.6, 0.5]]),
  ]
  path = chomsky_table.plot_task("reverse_string", results, tmp_path / "f.png")
  assert path.read_bytes()[:4] == b"\x89PNG"
  with pytest.raises(ValueError, match="no results"):
    chomsky_table.plot_task("parity_check", results, tmp_path / "g.png")
  with pytest.raises(ValueError, match="unknown task 'copy'"):
    chomsky_table.plot_task("copy", results, tmp_path / "h.png")
