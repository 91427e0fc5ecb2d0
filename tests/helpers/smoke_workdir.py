"""Shared set-up of the workdir tests: an untrained smoke workdir (NTM copy by default).

Not a test module (pytest collects only `*_test.py`); test files import it as
`from helpers import smoke_workdir` (`tests/` is on pytest's `pythonpath`).
"""

import importlib

from memnets.training import checkpoints, optimizers
from memnets.training import config as config_lib
from memnets.training import state as state_lib


def make_workdir(path, num_seeds=None, step=3, config_name="ntm_copy"):
  """Writes a workdir holding an untrained smoke checkpoint (no training compile).

  Args:
    path: the workdir to create (must not exist).
    num_seeds: number of stacked seeds; the smoke config's when None.
    step: the step the checkpoint is saved under.
    config_name: the config file's module under experiments/configs.

  Returns:
    The run's `config_lib` config.
  """
  raw = importlib.import_module(f"experiments.configs.{config_name}").get_config("smoke")
  if num_seeds is not None:
    raw.num_seeds = num_seeds
  config = config_lib.from_mapping(raw)
  task = config_lib.build_task(config)
  train_state = state_lib.init_stacked(config, task, optimizers.make(config.optimizer))
  path.mkdir()
  checkpoints.save_config(path, config)
  manager = checkpoints.manager(path, config.train.max_to_keep)
  checkpoints.save(manager, step, train_state)
  manager.wait_until_finished()
  manager.close()
  return config
