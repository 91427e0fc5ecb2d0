"""The main job, experiments.demo, end to end on the smoke config and a tiny time budget."""

import json


def _run_smoke_demo(binaries, workdir, *flags):
  """experiments.demo on the smoke config into `workdir`, with `flags` added."""
  return binaries.run(
    "experiments.demo",
    f"--config={binaries.repo}/experiments/configs/ntm_copy.py:smoke",
    f"--workdir={workdir}",
    *flags,
    timeout=400,
  )


def test_demo_trains_settles_sweeps_and_draws(tmp_path, binaries):
  workdir = tmp_path / "demo"
  result = _run_smoke_demo(
    binaries,
    workdir,
    "--time_budget_s=120",
    "--target=1000",  # solved at the first evaluation (step 2, the smoke log period)
    "--settle_steps=3",
    "--lengths=2,4",
    "--num_sequences=8",
  )
  assert result.returncode == 0, result.stderr[-3000:]
  summary = json.loads((workdir / "summary.json").read_text())
  assert summary["step"] == 5  # solved at step 2, then 3 more (within the smoke config's 6)
  lines = result.stdout.splitlines()
  assert lines[0].startswith(f"Step {summary['step']}: bit_errors")
  assert "solved (target 1000)" in lines[0]
  expected = [
    workdir / "eval" / "sweep.csv",
    workdir / "eval" / "sweep.json",
    workdir / "eval" / "sweep.png",
    workdir / "figures" / "example.png",
    workdir / "figures" / "learning_curves.png",
  ]
  assert lines[1:] == [str(path) for path in expected]
  for path in expected:
    assert path.stat().st_size > 0
  sweep = json.loads((workdir / "eval" / "sweep.json").read_text())
  assert sweep["lengths"] == [2, 4] and sweep["step"] == summary["step"]
  assert sweep["train_lengths"] == [1, 3]


def test_demo_rejects_negative_settle_steps(tmp_path, binaries):
  result = _run_smoke_demo(binaries, tmp_path / "demo", "--settle_steps=-1")
  assert result.returncode != 0
  assert "--settle_steps must be >= 0" in result.stderr
