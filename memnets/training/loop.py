"""`train_and_evaluate(config, workdir)`: one complete, resumable training run.

The entry point of the library: converts the experiment's ConfigDict into a
frozen `Config` and validates it (nothing is written before the config and the
workdir have been checked), restores the latest checkpoint of the workdir or
initialises every seed, then alternates compiled chunks of training steps with
logging, evaluation and checkpoints, whose periods also bound the chunks.
At the end it evaluates once more and writes `summary.json`: the final
evaluation metrics of every seed, their mean ± sd and the best seed.
"""

import json
import math
import os
import pathlib
import time
from collections.abc import Mapping
from typing import Any

import jax
import numpy as np
from absl import logging

from memnets.training import checkpoints as checkpoints_lib
from memnets.training import config as config_lib
from memnets.training import optimizers, sharding, writers
from memnets.training import state as state_lib
from memnets.training import step as step_lib

SUMMARY_FILE = "summary.json"


class NonFiniteError(RuntimeError):
  """A non-finite loss or gradient stopped the run (train.skip_nonfinite=False)."""


def _error_metric(task_loss: str) -> str:
  return "bit_errors" if task_loss == "bits" else "sequence_accuracy"


def prepare_workdir(workdir) -> pathlib.Path:
  """Creates `workdir` if its parent exists; raises ConfigError if it cannot be used."""
  path = pathlib.Path(workdir)
  if path.exists() and not path.is_dir():
    raise config_lib.ConfigError(f"workdir: {path} exists and is not a directory")
  if not path.exists():
    if not path.parent.is_dir():
      raise config_lib.ConfigError(f"workdir: the parent directory {path.parent} does not exist")
    try:
      path.mkdir()
    except OSError as error:
      raise config_lib.ConfigError(f"workdir: cannot create {path}: {error}") from None
  if not os.access(path, os.W_OK | os.X_OK):
    raise config_lib.ConfigError(f"workdir: {path} is not writable")
  return path


def _check_workdir_config(workdir, config: config_lib.Config) -> None:
  saved = checkpoints_lib.load_saved_config(workdir)
  if saved is not None:
    config_lib.check_resumable(saved, config)
  elif checkpoints_lib.has_checkpoints(workdir):
    raise config_lib.ConfigError(
      f"workdir: {workdir} holds checkpoints but no {checkpoints_lib.CONFIG_FILE}"
    )


def _next_stop(step: int, train: config_lib.TrainConfig) -> int:
  """The next step at which the loop must stop to log, evaluate or checkpoint."""
  periods = [train.log_every, train.checkpoint_every]
  if train.eval_every > 0:
    periods.append(train.eval_every)
  stops = [(step // p + 1) * p for p in periods]
  return min(*stops, train.steps, step + train.steps_per_call)


def _due(step: int, period: int, total: int) -> bool:
  return period > 0 and (step % period == 0 or step == total)


def _host(tree) -> dict[str, np.ndarray]:
  return {k: np.asarray(v) for k, v in jax.device_get(tree).items()}


def train_and_evaluate(
  config: Mapping[str, Any] | config_lib.Config,
  workdir,
  *,
  loss_transform: step_lib.LossTransform | None = None,
) -> dict[str, Any]:
  """Trains (or resumes) the run described by `config` in `workdir`.

  Args:
    config: an ml_collections ConfigDict in the layout of experiments/configs,
      a nested mapping, or a `config.Config`.
    workdir: output directory; created if its parent exists.
    loss_transform: test-only hook `(loss, step) -> loss` applied before
      differentiation (e.g. to inject a non-finite gradient).

  Returns:
    The final summary (also written to `workdir/summary.json`).

  Raises:
    ConfigError: invalid config or unusable workdir; nothing was written.
    NonFiniteError: a non-finite step stopped the run; the last good
      checkpoint and the metrics up to it are kept.
  """
  if not isinstance(config, config_lib.Config):
    config = config_lib.from_mapping(config)
  sharding.maybe_initialize_distributed(config.train.distributed)
  train = config.train
  layout = sharding.training_layout(train)
  config_lib.validate(config, layout.mesh.devices.size)
  if layout.mesh.devices.size < jax.device_count():
    logging.info(
      "Using %d of %d devices (seeds and batches split evenly over them)",
      layout.mesh.devices.size,
      jax.device_count(),
    )
  task = config_lib.build_task(config)
  graphdef = state_lib.graphdef(config, task)
  workdir = prepare_workdir(workdir)
  _check_workdir_config(workdir, config)
  checkpoints_lib.save_config(workdir, config)

  optimizer = optimizers.make(config.optimizer)
  steps = step_lib.Steps(
    config, task, graphdef, optimizer, batch_sharding=layout.batch, loss_transform=loss_transform
  )
  manager = checkpoints_lib.manager(workdir, train.max_to_keep)
  start = manager.latest_step()
  if start is None:
    start = 0
    init = state_lib.jit_init(config, task, optimizer, layout.state)
    train_state = init(state_lib.seeds(config))
  else:
    logging.info("Resuming from checkpoint step %d in %s", start, workdir)
    target = checkpoints_lib.abstract_state(config, task, optimizer, layout.state)
    train_state = checkpoints_lib.restore(manager, start, target)
  writer = writers.MetricsWriter(workdir, start, train.num_seeds)
  error_key = _error_metric(task.loss)

  step = start
  began, began_step = time.perf_counter(), start
  try:
    while step < train.steps:
      stop = _next_stop(step, train)
      train_state, metrics = steps.train(train_state, stop - step)
      nonfinite = np.asarray(jax.device_get(train_state.nonfinite))
      if not train.skip_nonfinite and nonfinite.any():
        failed = int(
          np.min(np.asarray(jax.device_get(train_state.first_nonfinite_step))[nonfinite > 0])
        )
        seeds = [int(k) for k in np.flatnonzero(nonfinite)]
        writer.write_row({"step": failed, "event": "nonfinite", "seeds": str(seeds)})
        raise NonFiniteError(
          f"non-finite loss or gradient at step {failed} (seed indices {seeds}); stopped. "
          f"The last good checkpoint is step {manager.latest_step()} in {workdir}. "
          "Set train.skip_nonfinite=True to skip such steps instead."
        )
      step = stop
      elapsed = time.perf_counter() - began
      speed = (step - began_step) / elapsed if elapsed > 0 else math.inf
      if _due(step, train.log_every, train.steps):
        per_seed = _host(metrics)
        writer.write_metrics(step, per_seed, steps_per_sec=speed, elapsed_sec=elapsed)
        writers.log_progress(step, train.steps, speed, per_seed, error_key)
      if _due(step, train.eval_every, train.steps):
        writer.write_metrics(step, _host(steps.evaluate(train_state)), prefix="eval/")
      if _due(step, train.checkpoint_every, train.steps):
        checkpoints_lib.save(manager, step, train_state)
    final = _host(steps.evaluate(train_state))
  finally:
    manager.wait_until_finished()
    manager.close()
    writer.close()
  summary = _summary(step, final, train)
  (workdir / SUMMARY_FILE).write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
  return summary


def _summary(step: int, final: Mapping[str, np.ndarray], train) -> dict[str, Any]:
  """Final eval metrics per seed, mean ± sd over seeds and best-of-K (with its seed index)."""
  summary: dict[str, Any] = {"step": step, "num_seeds": train.num_seeds, "seed": train.seed}
  summary["per_seed"] = {name: [float(v) for v in values] for name, values in final.items()}
  summary.update(writers.aggregate(final))
  for name, values in final.items():
    pick = np.argmax if writers.higher_is_better(name) else np.argmin
    summary[f"{name}/best_seed"] = int(pick(values))
  return summary
