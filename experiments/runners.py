"""The runs that do not go through the step-sampled training loop, by `task.name`.

A config whose `task.name` is a key here is trained by that module's
`run(config, workdir) -> summary` (its own data, epochs or windows, and
files) instead of `memnets.training.train_and_evaluate`; `experiments.train`
looks the name up and `experiments.reproduce`'s rows call the same function.
The modules are imported on use, so a binary loads only the one it runs.
"""

import importlib

RUNNERS = {
  "babi": "experiments.babi_run",  # MemN2N, DMN+, NTM and DNC readers on the bAbI release
  "word2vec": "experiments.word2vec_run",  # skip-gram and CBOW on a text file or the grammar
  "language_model": "experiments.lm_run",  # an RNN language model on a text stream
  "seq2seq": "experiments.seq2seq_run",  # the attention encoder-decoder on a registry task
}


def find(config):
  """The `run` function for `config.task.name`, or None for the standard training loop."""
  module = RUNNERS.get(config.task.get("name"))
  return None if module is None else importlib.import_module(module).run


def headline(summary: dict) -> str:
  """The one-line result of a runner's summary: its scalar entries, `name value`."""
  scalars = {
    k: v for k, v in summary.items() if isinstance(v, int | float) and not isinstance(v, bool)
  }
  return ", ".join(f"{k} {v:.4g}" for k, v in scalars.items()) or "no scalar results"
