"""One bAbI training run from a config: the data, the MemN2N, the epochs, the files it writes.

`run(config, workdir)` is what `python -m experiments.train_babi` and the
bAbI rows of `experiments.reproduce` call (this module defines no flags).
"""

import json
import pathlib

from absl import logging
from flax import nnx

from memnets.qa import MemN2N, training
from memnets.tasks import babi
from memnets.tasks.babi import generate


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
