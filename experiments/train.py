"""Trains one memnets model on one task: the experiment binary.

  python -m experiments.train --config=experiments/configs/ntm_copy.py[:smoke] \
    --workdir=/tmp/ntm_copy [--config.model.memory_size=64] [--config.num_seeds=4]

Parses the ml_collections config file, logs the devices and hands over to
`memnets.training.train_and_evaluate`. A run resumes from the latest
checkpoint in --workdir when started again with the same command.

A config whose `task.name` is in `experiments.runners.RUNNERS` is trained by
that runner instead: a bAbI config ("babi": memn2n_babi, dmn_babi, ntm_babi,
dnc_babi) by epochs over the release's files (`experiments.babi_run`), and a
workdir that holds its summary is refused:

  python -m experiments.train --config=experiments/configs/memn2n_babi.py \
    --config.task.data_dir=../shared/babi/en --config.task.babi_task=1 --workdir=/tmp/qa1
"""

import sys

import jax
from absl import app, flags, logging
from ml_collections import config_flags

from experiments import cli, platform, runners
from memnets import training
from memnets.tasks import babi

_CONFIG = config_flags.DEFINE_config_file("config", None, "Config file (path[:variant]).")
_WORKDIR = flags.DEFINE_string("workdir", None, "Directory for checkpoints and metrics.")
flags.mark_flags_as_required(["config", "workdir"])


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  platform.setup()
  cli.quiet_checkpoint_logs()
  runner = runners.find(_CONFIG.value)
  if runner is not None:
    try:
      summary = runner(_CONFIG.value, _WORKDIR.value)
    except (
      FileExistsError,
      FileNotFoundError,
      KeyError,
      ValueError,
      babi.BabiFormatError,
    ) as error:
      sys.exit(f"error: {error}")
    logging.info("Done: %s (summary in %s/summary.json)", runners.headline(summary), _WORKDIR.value)
    return
  training.sharding.maybe_initialize_distributed(bool(_CONFIG.value.train.distributed))
  logging.info(
    "JAX %s, process %d of %d", jax.__version__, jax.process_index(), jax.process_count()
  )
  logging.info("Devices: %s", jax.devices())
  try:
    summary = training.train_and_evaluate(_CONFIG.value, _WORKDIR.value)
  except training.ConfigError as error:
    logging.error("Invalid configuration: %s", error)
    sys.exit(f"error: {error}")
  except training.NonFiniteError as error:
    logging.error("%s", error)
    sys.exit(f"error: {error}")
  logging.info("Done at step %d; summary in %s/summary.json", summary["step"], _WORKDIR.value)


if __name__ == "__main__":
  app.run(main)
