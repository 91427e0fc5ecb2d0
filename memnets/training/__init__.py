"""Training: configs, train state, the jitted train step, checkpoints, metrics, the loop.

from memnets import training
summary = training.train_and_evaluate(config_dict, workdir)
"""

from memnets.training import checkpoints, config, optimizers, sharding, state, step, writers
from memnets.training.config import Config, ConfigError
from memnets.training.loop import NonFiniteError, train_and_evaluate

__all__ = [
  "Config",
  "ConfigError",
  "NonFiniteError",
  "checkpoints",
  "config",
  "optimizers",
  "sharding",
  "state",
  "step",
  "train_and_evaluate",
  "writers",
]
