"""The copy-failure diagnosis: offset alignment, counts on a smoke workdir, errors."""

import json

import numpy as np
from helpers import smoke_workdir

from experiments import copy_failures


def test_best_offset_finds_a_read_head_one_slot_ahead():
  rng = np.random.default_rng(0)
  inputs = rng.integers(0, 2, size=(9, 8)).astype(bool)
  assert copy_failures.best_offset(inputs, inputs) == 0
  ahead = np.concatenate([inputs[1:], np.zeros((1, 8), bool)])  # emits x_{t+1}
  assert copy_failures.best_offset(ahead, inputs) == 1
  behind = np.concatenate([np.zeros((2, 8), bool), inputs[:-2]])  # emits x_{t-2}
  assert copy_failures.best_offset(behind, inputs) == -2


def test_binary_counts_failures_per_seed(tmp_path, binaries):
  workdir = tmp_path / "run"
  smoke_workdir.make_workdir(workdir, num_seeds=2)
  output = tmp_path / "failures.json"
  result = binaries.run(
    "experiments.diagnose_copy",
    f"--workdir={workdir}",
    "--lengths=1,3",
    "--num_sequences=16",
    "--min_wrong=1",
    f"--output={output}",
  )
  assert result.returncode == 0, result.stderr[-3000:]
  lines = [json.loads(line) for line in result.stdout.splitlines()]
  assert lines == json.loads(output.read_text())
  assert [line["seed"] for line in lines] == [0, 1]
  for line in lines:
    assert line["sequences"] == 32
    assert 0 <= line["failed_with_zero_vector"] <= min(line["failed"], line["with_zero_vector"])
    assert sum(line["offsets"].values()) == line["failed"]
  assert lines[0]["with_zero_vector"] == lines[1]["with_zero_vector"]  # the same sequences


def test_binary_rejects_a_missing_workdir(tmp_path, binaries):
  result = binaries.run("experiments.diagnose_copy", f"--workdir={tmp_path / 'none'}")
  assert result.returncode != 0
  assert "no checkpoint to diagnose_copy" in result.stderr
