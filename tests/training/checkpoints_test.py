"""Tests of memnets.training.checkpoints: kill -9 and resume is bit-exact; torn saves are ignored."""

import json
import os
import signal
import time

import jax
import numpy as np

from experiments.configs import lstm_copy
from memnets import training
from memnets.training import checkpoints, writers

STEPS, CHECKPOINT_EVERY = 2000, 100
OVERRIDES = {
  "steps": STEPS,
  "checkpoint_every": CHECKPOINT_EVERY,
  "log_every": 50,
  "eval_every": 500,
  "steps_per_call": 50,
  "max_to_keep": 2,
}


def _config():
  config = lstm_copy.get_config("smoke")
  for field, value in OVERRIDES.items():
    config.train[field] = value
  return config


def _flags(repo, workdir):
  overrides = [f"--config.train.{field}={value}" for field, value in OVERRIDES.items()]
  return [
    f"--config={repo}/experiments/configs/lstm_copy.py:smoke",
    f"--workdir={workdir}",
    *overrides,
  ]


def _rows(workdir):
  rows = [json.loads(line) for line in (workdir / "metrics.jsonl").read_text().splitlines()]
  return [{k: v for k, v in row.items() if k not in writers.TIMING_KEYS} for row in rows]


def test_kill_and_resume_is_bit_exact(tmp_path, binaries):
  killed = tmp_path / "killed"
  # The binary runs on one device, as the uninterrupted run in this process does.
  env = {"XLA_FLAGS": os.environ["XLA_FLAGS"]}
  process = binaries.start("experiments.train", *_flags(binaries.repo, killed), **env)
  deadline = time.time() + 120
  while time.time() < deadline and process.poll() is None:
    if checkpoints.has_checkpoints(killed):
      break
    time.sleep(0.05)
  process.send_signal(signal.SIGKILL)
  process.wait()
  killed_at = checkpoints.manager(killed, 2, create=False).latest_step()
  assert killed_at is not None and killed_at < STEPS, "the run must die between checkpoints"

  resumed = binaries.run("experiments.train", *_flags(binaries.repo, killed), **env)
  assert resumed.returncode == 0, resumed.stderr[-2000:]
  assert "Resuming from checkpoint step" in resumed.stderr

  straight = tmp_path / "straight"
  training.train_and_evaluate(_config(), straight)
  a, b = checkpoints.restore_latest(killed), checkpoints.restore_latest(straight)
  assert a.step == b.step == STEPS
  for x, y in zip(jax.tree.leaves(a.params), jax.tree.leaves(b.params), strict=True):
    np.testing.assert_array_equal(np.asarray(x), np.asarray(y))
  assert _rows(killed) == _rows(straight)


def test_unfinished_checkpoint_is_ignored_and_restore_api(tmp_path):
  config = lstm_copy.get_config("smoke")
  training.train_and_evaluate(config, tmp_path)
  latest = checkpoints.restore_latest(tmp_path)
  # What a kill during the save of step 9 leaves behind: orbax's temporary directory.
  torn = tmp_path / checkpoints.CHECKPOINT_DIR / "9.orbax-checkpoint-tmp"
  (torn / "default").mkdir(parents=True)
  (torn / "default" / "garbage").write_bytes(b"\0" * 10)
  again = checkpoints.restore_latest(tmp_path)
  assert again.step == latest.step == config.train.steps
  config.train.steps = 9  # resuming continues from step 6, not the torn step 9
  summary = training.train_and_evaluate(config, tmp_path)
  assert summary["step"] == 9
  restored = checkpoints.restore_latest(tmp_path)
  assert restored.step == 9
  # The restore API for analysis code.
  assert restored.config.model.name == "lstm"
  batch = restored.task.sample(jax.random.key(0), 2, 3)
  model = restored.model(0)
  _, logits = training.step.unroll(model, batch.inputs)
  assert logits.shape == batch.targets.shape
  earlier = checkpoints.restore_latest(tmp_path, step=6)
  assert earlier.step == 6
