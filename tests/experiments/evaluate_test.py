"""The experiments.evaluate binary end to end: files written, training files untouched, errors."""

import csv
import hashlib
import json

import pytest
from helpers import smoke_workdir


@pytest.fixture
def evaluate(binaries):
  return lambda workdir, *flags: binaries.run(
    "experiments.evaluate", f"--workdir={workdir}", *flags
  )


def _fingerprints(workdir):
  return {
    path.relative_to(workdir): hashlib.sha256(path.read_bytes()).hexdigest()
    for path in sorted(workdir.rglob("*"))
    if path.is_file()
  }


def test_binary_writes_sweep_and_keeps_training_files(tmp_path, evaluate):
  workdir = tmp_path / "run"
  smoke_workdir.make_workdir(workdir, num_seeds=2)
  before = _fingerprints(workdir)
  result = evaluate(workdir, "--lengths=2,5", "--num_sequences=6", "--batch_size=4")
  assert result.returncode == 0, result.stderr[-3000:]
  eval_dir = workdir / "eval"
  printed = result.stdout.split()
  assert printed == [str(eval_dir / name) for name in ("sweep.csv", "sweep.json", "sweep.png")]
  with (eval_dir / "sweep.csv").open() as file:
    table = list(csv.DictReader(file))
  assert len(table) == 2 * 4  # two lengths × (seed 0, seed 1, mean, best)
  for row in table:
    assert 0 <= float(row["bit_errors"]) <= 8 * int(row["length"])  # 8-bit vectors
  saved = json.loads((eval_dir / "sweep.json").read_text())
  assert saved["lengths"] == [2, 5] and saved["num_sequences"] == 6
  assert (eval_dir / "sweep.png").read_bytes()[:4] == b"\x89PNG"
  after = _fingerprints(workdir)
  assert {p: h for p, h in after.items() if p.parts[0] != "eval"} == before


def test_binary_without_checkpoint_exits_with_message(tmp_path, evaluate):
  result = evaluate(tmp_path / "empty")
  assert result.returncode != 0
  assert "no checkpoint" in result.stderr and str(tmp_path / "empty") in result.stderr
  assert "Traceback" not in result.stderr
  assert not (tmp_path / "empty").exists()
