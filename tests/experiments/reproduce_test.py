"""The experiments.reproduce binary and its rows: a row's JSON, the table, bad input."""

import hashlib
import json
import shutil

import pytest
from conftest import Binaries
from helpers import png

from experiments import (
  babi_table,
  chomsky_table,
  reproduction,
  rows,
  sequence_table,
  transduction_table,
)
from memnets.training import config as config_lib

SMOKE_FLAGS = ("ntm_copy", "--smoke", "--seeds=2", "--steps=6")
BLOCKS = [
  (chomsky_table.CHOMSKY_START, chomsky_table.CHOMSKY_END),
  (transduction_table.TRANSDUCTION_START, transduction_table.TRANSDUCTION_END),
  (babi_table.BABI_START, babi_table.BABI_END),
  (sequence_table.SEQUENCE_START, sequence_table.SEQUENCE_END),
]


@pytest.fixture(scope="module")
def smoke_result(tmp_path_factory):
  """One smoke run of the ntm_copy row (shared by the tests of this module)."""
  root = tmp_path_factory.mktemp("reproduce")
  results = root / "results"
  results.mkdir()
  run = Binaries().run(
    "experiments.reproduce", *SMOKE_FLAGS, f"--results_dir={results}", f"--workdir={root / 'w'}"
  )
  assert run.returncode == 0, run.stderr[-3000:]
  return results / "ntm_copy.json", run


def test_a_row_writes_its_result(smoke_result):
  path, run = smoke_result
  assert run.stdout.split() == [str(path)]
  result = json.loads(path.read_text())
  assert result["row"] == "ntm_copy" and result["smoke"] is True
  assert result["command"] == "python -m experiments.reproduce ntm_copy --seeds=2 --steps=6 --smoke"
  assert result["steps"] == 6 and result["num_seeds"] == 2 and result["seeds"] == [0, 1]
  final = result["final"]
  assert len(final["per_seed"]) == 2
  assert final["min"] == min(final["per_seed"]) and final["max"] == max(final["per_seed"])
  assert final["mean"] == pytest.approx(sum(final["per_seed"]) / 2)
  assert len(result["sweep"]["per_seed"]) == 2
  assert len(result["eval_history"]) == 2 and result["eval_history"][0]
  assert result["solve"]["threshold"] == 0.01
  assert result["hardware"]["platform"] == "cpu"
  assert len(result["git_commit"].split("+")[0]) == 40
  assert result["wall_sec"] >= result["train_sec"] > 0


def test_an_existing_result_is_kept_without_overwrite(smoke_result, binaries, tmp_path):
  path, _ = smoke_result
  before = hashlib.sha256(path.read_bytes()).hexdigest()
  run = binaries.run(
    "experiments.reproduce", *SMOKE_FLAGS, f"--results_dir={path.parent}",
    f"--workdir={tmp_path / 'w'}",
  )  # fmt: skip
  assert run.returncode != 0
  assert "exists; pass --overwrite" in run.stderr
  assert hashlib.sha256(path.read_bytes()).hexdigest() == before
  assert not (tmp_path / "w").exists()


def test_table_is_rendered_from_the_results(smoke_result, tmp_path):
  path, _ = smoke_result
  doc = tmp_path / "results.md"
  shutil.copy(reproduction.TABLE_DOC, doc)

  def outside(text):  # the text after the table, but for the generated blocks
    after = text.split(reproduction.TABLE_END)[1]
    for start, end in BLOCKS:
      after = after.split(start)[0] + after.split(end)[1]
    return after

  outside_before = outside(doc.read_text())
  assert reproduction.write_table(path.parent, doc) == 1
  text = doc.read_text()
  table = text.split(reproduction.TABLE_START)[1].split(reproduction.TABLE_END)[0]
  result = json.loads(path.read_text())
  assert "`ntm_copy`" in table and result["command"] in table
  assert f"median {reproduction._number(result['final']['median'])}" in table
  assert "SMOKE" in table
  assert outside(text) == outside_before


def test_table_needs_its_markers(tmp_path):
  doc = tmp_path / "doc.md"
  doc.write_text("# no markers\n")
  with pytest.raises(SystemExit, match="lacks the markers"):
    reproduction.write_table(tmp_path, doc)
  assert doc.read_text() == "# no markers\n"


def test_unknown_row_is_named(binaries):
  run = binaries.run("experiments.reproduce", "no_such_row")
  assert run.returncode != 0
  assert "unknown row 'no_such_row'" in run.stderr and "ntm_copy" in run.stderr


RUNNER_ROWS = set(babi_table.ROW_NAMES) | set(sequence_table.ROW_NAMES)


@pytest.mark.parametrize("name", sorted(set(rows.ROWS) - RUNNER_ROWS))
def test_every_row_builds_a_valid_config(
  name,
):  # (the bAbI and sequence rows: tests/experiments/babi_table_test.py, sequence_table_test.py)
  row = rows.ROWS[name]
  config = config_lib.from_mapping(row.build_config(3, 500))
  config_lib.validate(config)
  assert config.train.num_seeds == 3 and config.train.steps == 500
  assert config.train.eval_every == row.eval_every
  assert config.train.eval_batch_size == row.eval_sequences
  for dotted, value in row.overrides.items():
    if dotted == "model":  # a whole section
      assert config.model.name == value["name"]
      assert all(config.model.kwargs[k] == v for k, v in value.items() if k != "name")
      continue
    if dotted == "model.name":
      assert config.model.name == value
      continue
    section, *path = dotted.split(".")  # e.g. task.curriculum_kwargs.step_interval
    got = getattr(config, section)
    got = got.kwargs if section == "model" else got
    for part in path:
      got = got[part] if isinstance(got, dict) else getattr(got, part)
    assert got == value


def test_ngram_rows_compare_with_the_optimal_cost():
  row = rows.ROWS["ntm_ngrams"]
  description, compute = row.reference
  value = compute(row.build_config(1, 10))
  assert description == "optimal estimator" and 120.0 < value < 140.0  # ~128.5 bits


def test_an_override_of_no_field_is_refused():
  row = rows.Row(
    name="bad", paper="", setting="", published="", published_statistic="",
    config="ntm_copy", overrides={"model.no_such_field": 1},
  )  # fmt: skip
  with pytest.raises(KeyError, match="no_such_field"):
    row.build_config(1, 10)


def _swept(row, lengths, per_seed, also=None):
  return {"row": row, "seeds": list(range(len(per_seed))),
          "config": {"task": {"min_length": 1, "max_length": 20}},
          "sweep": {"lengths": lengths, "per_seed": per_seed, "metric": "sequence_accuracy",
                    "also": also or {}}}  # fmt: skip


def test_sweep_figure_draws_every_seed_of_every_row(tmp_path):
  results = [
    _swept("a", [20, 200, 2000], [[1, 0.5, 0], [1, 0.2, 0]], {"token_accuracy": [[1, 1, 0.9]] * 2}),
    _swept("b", [6, 20], [[1, 0]]),
  ]
  path = reproduction.plot_sweeps(results, tmp_path / "s.png")
  assert png.png_size(path)[0] > 0
  reproduction.plot_sweeps(results[:1], tmp_path / "t.png", metric="token_accuracy")
  with pytest.raises(ValueError, match="row b: no sweep metric 'token_accuracy'"):
    reproduction.plot_sweeps(results, tmp_path / "u.png", metric="token_accuracy")
  with pytest.raises(ValueError, match="row c has no length sweep"):
    reproduction.plot_sweeps([{"row": "c"}], tmp_path / "v.png")
