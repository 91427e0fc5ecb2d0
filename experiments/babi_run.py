"""One bAbI training run from a config: the data, the model, the epochs, the files it writes.

`run(config, workdir)` is what `python -m experiments.train` calls for a
config whose `task.name` is "babi", and what the bAbI rows of
`experiments.reproduce` call (this module defines no flags). It loads the
release with `babi.load_experiment` (one vocabulary and one set of sizes
over train, valid and test), builds `config.model` (`memnets.qa.build`),
trains by epochs (`memnets.qa.training`) and writes `<workdir>/summary.json`
(`test_error_percent`: task id → test error in percent, its mean, the
failed tasks), `metrics.jsonl` (one line per epoch), `config.json` and the
trained parameters (`params/`, orbax), which `restore` reads back.
With `task.data_dir=""` the data is the offline generator's (`babi.generate`,
written under the workdir). A workdir that already holds a summary is
refused, so no result is overwritten.
"""

import json
import pathlib
from typing import NamedTuple

import ml_collections
import numpy as np
import orbax.checkpoint as ocp
from absl import logging
from flax import nnx

from memnets import qa, word2vec
from memnets.figures import babi as figures_babi
from memnets.qa import training
from memnets.tasks import babi
from memnets.tasks.babi import generate

PARAMS_DIR = "params"


class Restored(NamedTuple):
  """A finished bAbI run: its config, its data (reloaded) and its trained model."""

  config: ml_collections.ConfigDict
  data: babi.BabiData
  model: nnx.Module
  summary: dict


def _load(config, data_dir) -> babi.BabiData:
  task = config.task
  return babi.load_experiment(
    data_dir, [int(t) for t in task.babi_task], folder=task.folder,
    max_sentences=task.max_sentences, answers=task.answers,
  )  # fmt: skip


def _model(config, data, pretrained: bool = True) -> nnx.Module:
  """The config's model; its words start at `model.embeddings_path`'s vectors if `pretrained`."""
  sizes = config.model.to_dict()
  name = sizes.pop("name")
  path = sizes.pop("embeddings_path", "")
  model = qa.build(name, len(data.vocab), data, rngs=nnx.Rngs(config.train.seed), **sizes)
  if path and pretrained:
    if "dim" not in sizes:
      raise ValueError(f"model.embeddings_path: model {name!r} has no word embedding")
    qa.set_word_vectors(model, word2vec.initial_embeddings(path, data.vocab.words, sizes["dim"]))
  return model


def restore(workdir) -> Restored:
  """The run in `workdir`: its data reloaded from the same files, its model with the trained params.

  Raises FileNotFoundError, naming the file, where `workdir` holds no finished run.
  """
  workdir = pathlib.Path(workdir)
  for name in ("config.json", "summary.json", PARAMS_DIR):
    if not (workdir / name).exists():
      raise FileNotFoundError(f"{workdir / name}: no finished bAbI run here")
  config = ml_collections.ConfigDict(json.loads((workdir / "config.json").read_text()))
  summary = json.loads((workdir / "summary.json").read_text())
  data = _load(config, summary["data_dir"])
  model = _model(config, data, pretrained=False)  # the trained words are restored below
  graphdef, params = nnx.split(model, nnx.Param)
  with ocp.StandardCheckpointer() as checkpointer:
    params = checkpointer.restore((workdir / PARAMS_DIR).absolute(), params)
  return Restored(config, data, nnx.merge(graphdef, params), summary)


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
  data = _load(config, data_dir)
  model = _model(config, data)
  settings = training.Settings(**config.train.to_dict())
  with open(workdir / "metrics.jsonl", "w") as metrics:

    def log(epoch, record):
      metrics.write(json.dumps(record) + "\n")
      logging.info("epoch %d: valid loss %.4g, accuracy %.3f", epoch, record["valid_loss"],
                   record["valid_accuracy"])  # fmt: skip

    params, summary = training.train(model, data, settings, log=log)
  summary["data_dir"] = str(data_dir)
  with ocp.StandardCheckpointer() as checkpointer:  # closing waits for the write
    checkpointer.save((workdir / PARAMS_DIR).absolute(), params, force=True)
  (workdir / "config.json").write_text(config.to_json(indent=2))
  (workdir / "summary.json").write_text(json.dumps(summary, indent=2))
  return summary


ATTENTION_PNG = "attention.png"
ATTENDING = ("memn2n", "dmn_plus")  # the models with attention over sentences


def write_attention(workdir, index: int = 0) -> pathlib.Path:
  """Draws test question `index` of the run in `workdir`: its story and each hop's attention.

  Writes `<workdir>/figures/attention.png` (`memnets.figures.babi`). Raises
  ValueError for a model without attention over sentences (the sequence
  readers) or an index beyond the test set.
  """
  config = pathlib.Path(workdir) / "config.json"
  name = json.loads(config.read_text())["model"]["name"] if config.exists() else None
  if name is not None and name not in ATTENDING:
    raise ValueError(f"{config}: a {name} reads the story word by word; no attention to draw")
  run = restore(workdir)
  test, vocab = run.data.splits["test"], run.data.vocab
  if not 0 <= index < len(test.answers):
    raise ValueError(f"--index: {index} is not a test question (0 to {len(test.answers) - 1})")
  part = slice(index, index + 1)
  tested_as = (
    {"softmax": run.summary["tested_with_softmax"]} if isinstance(run.model, qa.MemN2N) else {}
  )
  logits, attention = run.model.attend(test.stories[part], test.questions[part],
                                       test.story_lengths[part], **tested_as)  # fmt: skip
  length = int(test.story_lengths[index])
  sentences = [" ".join(vocab.decode(row)) for row in test.stories[index, :length]]
  return figures_babi.plot_attention(
    pathlib.Path(workdir) / "figures" / ATTENTION_PNG,
    sentences,
    np.asarray(attention[0, :, :length]),
    question=" ".join(vocab.decode(test.questions[index])),
    answer=vocab.words[int(test.answers[index])],
    predicted=vocab.words[int(np.argmax(logits[0]))],
    supporting=tuple(int(s) for s in test.supporting[index] if s >= 0),
    step_name="hop" if isinstance(run.model, qa.MemN2N) else "pass",
  )
