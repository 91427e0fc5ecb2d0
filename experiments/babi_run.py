"""One bAbI training run from a config: the data, the model, the epochs, the files it writes.

`run(config, workdir)` is what `python -m experiments.train` calls for a
config whose `task.name` is "babi", and what the bAbI rows of
`experiments.reproduce` call (this module defines no flags). It loads the
release with `babi.load_experiment` (one vocabulary and one set of sizes
over train, valid and test), builds `config.model` (`memnets.qa.build`),
trains by epochs (`memnets.qa.training`) and writes `<workdir>/summary.json`
(`test_error_percent`: task id → test error in percent, its mean, the
failed tasks), `metrics.jsonl` (one line per epoch) and `config.json`.
With `task.data_dir=""` the data is the offline generator's (`babi.generate`,
written under the workdir). A workdir that already holds a summary is
refused, so no result is overwritten.
"""

import json
import pathlib

from absl import logging
from flax import nnx

from memnets import qa
from memnets.qa import training
from memnets.tasks import babi
from memnets.tasks.babi import generate


def run(config, workdir) -> dict:
  """Trains as `config` says and writes the summary and metrics into `workdir`; returns the summary."""
  workdir = pathlib.Path(workdir)
  if (workdir / "summary.json").exists():
    raise FileExistsError(f"{workdir / 'summary.json'} exists; choose another --workdir")
  workdir.mkdir(parents=True, exist_ok=True)
  data_cfg = config.task
  task_ids = [int(t) for t in data_cfg.babi_task]
  data_dir = data_cfg.data_dir
  if not data_dir:
    generate.write_dataset(workdir / "generated", task_ids, ["en"], seed=0, overwrite=True)
    data_dir = workdir / "generated" / "en"
  data = babi.load_experiment(
    data_dir, task_ids, folder=data_cfg.folder, max_sentences=data_cfg.max_sentences,
    answers=data_cfg.answers,
  )  # fmt: skip
  sizes = config.model.to_dict()
  name = sizes.pop("name")
  model = qa.build(name, len(data.vocab), data, rngs=nnx.Rngs(config.train.seed), **sizes)
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
