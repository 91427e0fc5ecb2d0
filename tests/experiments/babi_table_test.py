"""The bAbI rows: per-seed errors, the paper's seed choice, the table, a smoke row in-process."""

import json

import pytest

from experiments import babi_table, reproduction, rows


def fake(name, test, train, smoke=False):
  return {"row": name, "test_per_seed": test, "train_per_seed": train, "num_seeds": 2,
          "steps": 100, "smoke": smoke}  # fmt: skip


def test_the_chosen_seed_is_the_one_with_the_lowest_training_error():
  result = fake(
    "memn2n_babi_1k", {"1": [3.0, 9.0], "2": [40.0, 20.0]}, {"1": [1.0, 0.0], "2": [5.0, 9.0]}
  )
  assert babi_table.selected(result) == {"1": 9.0, "2": 40.0}  # not the lowest test error
  lines = babi_table.render([result]).splitlines()
  assert lines[2] == "| 1 | **9.0** (–) / 6.0 ± 3.0 |"
  assert lines[3] == "| 2 | **40.0** (–) / 30.0 ± 10.0 |"
  assert lines[4] == "| all | mean 24.5, failed 2 (paper: mean 13.9 over all 20) |"
  joint = fake("memn2n_babi_1k_joint", {"2": [12.0, 14.0]}, {"2": [0.0, 1.0]})
  assert babi_table.render([joint]).splitlines()[2] == "| 2 | **12.0** (11.4) / 13.0 ± 1.0 |"
  assert "2 seeds × 100 epochs" in lines[-1]


def test_the_rows_train_on_the_release_per_task_and_jointly():
  per_task, joint = rows.ROWS["memn2n_babi_1k"], rows.ROWS["memn2n_babi_1k_joint"]
  for row in (per_task, joint):
    config = babi_table.build_config(row, seed=3, epochs=7, smoke=False)
    assert config.task.data_dir == "../shared/babi/en" and config.train.seed == 3
    assert config.train.epochs == 7 and config.model.hops == 3
  assert babi_table.build_config(per_task, 0, 1, smoke=True).task.data_dir == ""
  joint_config = babi_table.build_config(joint, 0, joint.steps, smoke=False)  # §4.2's joint sizes
  assert (joint_config.model.dim, joint_config.train.halve_every, joint.steps) == (50, 15, 60)
  assert babi_table.build_config(per_task, 0, 1, smoke=False).model.dim == 20


def test_a_smoke_row_keeps_every_seeds_errors_and_fills_the_table(tmp_path):
  row = rows.ROWS["memn2n_babi_1k"]
  result = reproduction.run_row(row, 2, 1, tmp_path / "w", "test", smoke=True)
  assert set(result["test_per_seed"]) == {"1"} and len(result["test_per_seed"]["1"]) == 2
  assert result["smoke"] and result["steps"] == 1 and result["row"] == "memn2n_babi_1k"
  assert result["epochs_run"] == [1, 1]
  results = tmp_path / "results"
  results.mkdir()
  (results / "memn2n_babi_1k.json").write_text(json.dumps(result))
  doc = tmp_path / "results.md"
  doc.write_text(reproduction.TABLE_DOC.read_text())
  reproduction.write_table(results, doc)
  block = doc.read_text().split(babi_table.BABI_START)[1].split(babi_table.BABI_END)[0]
  assert "| 1 | **" in block and "SMOKE" in block
  main = doc.read_text().split(reproduction.TABLE_START)[1].split(reproduction.TABLE_END)[0]
  assert "memn2n_babi_1k" not in main
  # A rerun on the same workdir reuses every finished run; another config is refused.
  again = reproduction.run_row(row, 2, 1, tmp_path / "w", "test", smoke=True)
  assert again["test_per_seed"] == result["test_per_seed"]
  with pytest.raises(ValueError, match=r"seed0/qa1/config.json: a run of another config"):
    reproduction.run_row(row, 1, 2, tmp_path / "w", "test", smoke=True)


def test_an_override_of_no_field_is_refused():
  row = rows.ROWS["memn2n_babi_1k"]
  bad = type(row)(**{**row.__dict__, "overrides": {"task.no_such": 1}})
  with pytest.raises(KeyError, match="no_such"):
    babi_table.build_config(bad, 0, 1, smoke=False)


def test_the_dmn_ntm_and_dnc_rows_read_their_sets_and_tasks():
  dmn, ntm, dnc = (rows.ROWS[n] for n in ("dmn_babi_10k", "ntm_babi_1k", "dnc_babi_1k"))
  config = babi_table.build_config(dmn, 0, 256, smoke=False)
  assert config.task.data_dir == "../shared/babi/en-10k" and config.model.name == "dmn_plus"
  assert config.train.patience == 20 and config.train.keep_best
  for row, name in [(ntm, "ntm"), (dnc, "dnc")]:
    config = babi_table.build_config(row, 0, 30, smoke=False)
    assert config.model.name == name and config.task.data_dir == "../shared/babi/en"
    assert config.train.optimizer == "adam" and config.train.epochs == 30
  assert babi_table.build_config(dnc, 0, 1, False).model.memory_size == 64
  assert babi_table.build_config(dnc, 0, 1, True).model.memory_size == 8  # smoke: tiny
  assert babi_table.ROW_TASKS["ntm_babi_1k"] == (1, 2, 3)


def test_an_early_stop_is_said():
  stopped = {**fake("dmn_babi_10k", {"1": [0.0]}, {"1": [0.0]}), "steps": 256,
             "epochs_run": [41], "published_statistic": "one run"}  # fmt: skip
  last = babi_table.render([stopped]).splitlines()
  assert last[2] == "| 1 | **0.0** (0.0) / 0.0 ± 0.0 |"
  assert "× 256 epochs, stopped early after 41–41 (paper: one run (unstable" in last[-1]


def test_the_papers_mean_is_over_the_same_tasks_where_it_prints_them():
  dnc = fake("dnc_babi_1k", {"1": [5.0], "2": [5.0]}, {"1": [0.0], "2": [0.0]})
  assert "(paper: mean 24.1)" in babi_table.render([dnc])  # (9.0 + 39.2) / 2
  ntm = fake("ntm_babi_1k", {"1": [5.0]}, {"1": [0.0]})
  assert "(paper: mean 28.5 over all 20)" in babi_table.render([ntm])
