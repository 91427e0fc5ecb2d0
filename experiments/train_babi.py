"""Trains a MemN2N on bAbI question answering: the bAbI experiment binary.

  python -m experiments.train_babi --config=experiments/configs/memn2n_babi.py[:smoke] \
    --config.data.data_dir=../shared/babi/en --config.data.task_ids=1,2,3 --workdir=/tmp/memn2n

Loads the release with `babi.load_experiment` (one vocabulary and one set of
sizes over train, valid and test), trains by epochs (`memnets.qa.training`)
and writes `<workdir>/summary.json` (`test_error_percent`: task id → test
error in percent, its mean, the failed tasks) and `metrics.jsonl` (one line
per epoch). With `data.data_dir=""` the data is the offline generator's
(`babi.generate`, written under the workdir). A workdir that already holds
a summary is refused, so no result is overwritten.
"""

import sys

from absl import app, flags, logging
from ml_collections import config_flags

from experiments import babi_run, platform
from memnets.tasks import babi

_CONFIG = config_flags.DEFINE_config_file("config", None, "Config file (path[:variant]).")
_WORKDIR = flags.DEFINE_string("workdir", None, "Directory for the summary and metrics.")
flags.mark_flags_as_required(["config", "workdir"])


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  platform.setup()
  try:
    summary = babi_run.run(_CONFIG.value, _WORKDIR.value)
  except (FileExistsError, FileNotFoundError, ValueError, babi.BabiFormatError) as error:
    sys.exit(f"error: {error}")
  logging.info("test error %%: %s (mean %.2f)", summary["test_error_percent"],
               summary["mean_test_error_percent"])  # fmt: skip


if __name__ == "__main__":
  app.run(main)
