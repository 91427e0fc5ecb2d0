"""The experiments.visualize binary end to end on an NTM workdir with a metrics file.

Also the error handling the evaluate and visualize binaries share (`write_or_exit`).
"""

import json

import pytest
from helpers import png as png_helpers
from helpers import smoke_workdir

from experiments import cli
from memnets.figures import workdir as workdir_figures

ROWS = [
  {"step": 2, "loss": 5.0, "bit_errors": 4.0, "cost_bits": 9.0},
  {"step": 4, "loss": 4.0, "bit_errors": 3.0, "cost_bits": 7.0},
  {"step": 4, "eval/loss": 4.5, "eval/bit_errors": 3.5, "eval/cost_bits": 8.0},
]


def _make_workdir(path):
  """A workdir holding an untrained smoke NTM checkpoint at step 4 and a small metrics.jsonl."""
  smoke_workdir.make_workdir(path, step=4)
  (path / "metrics.jsonl").write_text("".join(json.dumps(row) + "\n" for row in ROWS))


@pytest.fixture
def visualize(binaries):
  return lambda workdir, *flags: binaries.run(
    "experiments.visualize", f"--workdir={workdir}", *flags
  )


def test_binary_writes_example_and_learning_curves(tmp_path, visualize):
  workdir = tmp_path / "run"
  _make_workdir(workdir)
  result = visualize(workdir, "--length=3")
  assert result.returncode == 0, result.stderr[-3000:]
  figures = workdir / "figures"
  paths = [figures / "example.png", figures / "learning_curves.png"]
  assert result.stdout.split() == [str(path) for path in paths]
  for path in paths:
    width, height = png_helpers.png_size(path)
    assert width > 500 and height > 300


def test_write_or_exit_turns_writer_errors_into_one_line_exits(tmp_path):
  with pytest.raises(SystemExit, match="no checkpoint to visualise in workdir") as missing:
    cli.write_or_exit(workdir_figures.write_figures, tmp_path / "empty", "visualise")
  assert str(tmp_path / "empty") in str(missing.value) and "\n" not in str(missing.value)

  def bad_length(workdir, length):
    raise ValueError(f"length {length} is below the minimum 1")

  with pytest.raises(SystemExit, match="^error: length 0 is below the minimum 1$"):
    cli.write_or_exit(bad_length, tmp_path, "visualise", 0)
  assert cli.write_or_exit(lambda workdir: [workdir], tmp_path, "visualise") == [tmp_path]
