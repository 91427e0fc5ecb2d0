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

import json
import pathlib
import sys

from absl import app, flags, logging
from flax import nnx
from ml_collections import config_flags

from experiments import platform
from memnets.qa import MemN2N, training
from memnets.tasks import babi
from memnets.tasks.babi import generate

_CONFIG = config_flags.DEFINE_config_file("config", None, "Config file (path[:variant]).")
_WORKDIR = flags.DEFINE_string("workdir", None, "Directory for the summary and metrics.")
flags.mark_flags_as_required(["config", "workdir"])


def run(config, workdir) -> dict:
  """Trains as `config` says and writes the summary and metrics into `workdir`; returns the summary."""
  workdir = pathlib.Path(workdir)
  if (workdir / "summary.json").exists():
    raise FileExistsError(f"{workdir / 'summary.json'} exists; choose another --workdir")
  workdir.mkdir(parents=True, exist_ok=True)
  data_cfg = config.data
  task_ids = [int(t) for t in data_cfg.task_ids]
  data_dir = data_cfg.data_dir
  if not data_dir:
    generate.write_dataset(workdir / "generated", task_ids, ["en"], seed=0, overwrite=True)
    data_dir = workdir / "generated" / "en"
  data = babi.load_experiment(
    data_dir, task_ids, folder=data_cfg.folder, max_sentences=data_cfg.max_sentences,
    answers=data_cfg.answers,
  )  # fmt: skip
  model = MemN2N(
    len(data.vocab), max_sentences=data_cfg.max_sentences, rngs=nnx.Rngs(config.train.seed),
    **config.model.to_dict(),
  )  # fmt: skip
  settings = training.Settings(**config.train.to_dict())
  with open(workdir / "metrics.jsonl", "w") as metrics:

    def log(epoch, record):
      metrics.write(json.dumps(record) + "\n")
      logging.info("epoch %d: valid loss %.4g, accuracy %.3f", epoch, record["valid_loss"],
                   record["valid_accuracy"])  # fmt: skip

    _, summary = training.train(model, data, settings, log=log)
  summary["data_dir"] = str(data_dir)
  (workdir / "config.json").write_text(config.to_json(indent=2))
  (workdir / "summary.json").write_text(json.dumps(summary, indent=2))
  return summary


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  platform.setup()
  try:
    summary = run(_CONFIG.value, _WORKDIR.value)
  except (FileExistsError, FileNotFoundError, ValueError, babi.BabiFormatError) as error:
    sys.exit(f"error: {error}")
  logging.info("test error %%: %s (mean %.2f)", summary["test_error_percent"],
               summary["mean_test_error_percent"])  # fmt: skip


if __name__ == "__main__":
  app.run(main)
