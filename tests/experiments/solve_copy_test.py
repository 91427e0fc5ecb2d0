"""The experiments.solve_copy binary: JSON lines per seed, the summary, bad input."""

import json

import pytest

SMOKE = "--config=experiments/configs/ntm_copy.py:smoke"


@pytest.fixture
def solve_copy(binaries):
  return lambda *flags: binaries.run("experiments.solve_copy", SMOKE, *flags)


def test_two_seeds_write_one_line_each_and_a_summary(tmp_path, solve_copy):
  output = tmp_path / "solve.jsonl"
  # A threshold no untrained model misses, so "solved" and "stayed solved" are exercised.
  proc = solve_copy("--seeds=0,1", "--steps=4", "--check_every=2", "--num_sequences=8",
              "--threshold=1000", f"--output={output}")  # fmt: skip
  assert proc.returncode == 0, proc.stderr
  lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
  seeds, summary = lines[:-1], lines[-1]
  assert [r["seed"] for r in seeds] == [0, 1]
  for r in seeds:
    assert [c[0] for c in r["checks"]] == [2, 4]
    assert r["solved_step"] == 2 and r["solved_sequences"] == 2 * r["batch_size"]
    assert 0 < r["solved_s"] <= r["total_s"]
    assert r["stayed_solved"] is True
  assert summary["seeds"] == 2 and summary["solved"] == 2 and summary["stayed_solved"] == 2
  assert [json.loads(line)["seed"] for line in output.read_text().splitlines()] == [0, 1]


def test_unsolved_run_reports_no_time(solve_copy):
  proc = solve_copy(
    "--seeds=0", "--steps=2", "--check_every=2", "--num_sequences=8", "--threshold=0"
  )
  assert proc.returncode == 0, proc.stderr
  result = json.loads(proc.stdout.splitlines()[0])
  assert result["solved_step"] is None and result["solved_s"] is None
  assert result["stayed_solved"] is False


def test_bad_config_field_is_named_and_exits_non_zero(solve_copy):
  proc = solve_copy("--config.train.batch_size=0", "--steps=2")
  assert proc.returncode != 0
  assert "train.batch_size" in proc.stderr
