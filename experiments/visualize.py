"""Figures of a trained workdir: one example sequence and the learning curves.

  python -m experiments.visualize --workdir=/tmp/ntm_copy [--length=20] [--seed_index=0]

Writes <workdir>/figures/example.png, in the style of Graves et al. 2014,
Fig. 6 (inputs, targets, outputs, the heads' write and read weightings over
time and the memory after the last step; memory panels only for models that
have a memory), and learning_curves.png (loss and the task's error metrics
against step, per seed, from metrics.jsonl), and prints their paths.

For a bAbI run (a MemN2N or DMN+ workdir of `experiments.train`) it draws
test question --index instead: the story's sentences and the attention
each hop (or pass) gave them, into <workdir>/figures/attention.png.
"""

import json
import pathlib

from absl import app, flags

from experiments import babi_run, cli, platform
from memnets.figures import workdir as workdir_figures

_WORKDIR = flags.DEFINE_string("workdir", None, "Training workdir with checkpoints.")
_LENGTH = flags.DEFINE_integer("length", None, "Example length (default: longest trained).")
_SEED_INDEX = flags.DEFINE_integer("seed_index", 0, "Which seed's model to show.")
_INDEX = flags.DEFINE_integer("index", 0, "bAbI: which test question to draw.")
flags.mark_flags_as_required(["workdir"])


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  platform.setup()
  config = pathlib.Path(_WORKDIR.value) / "config.json"
  if config.exists() and json.loads(config.read_text()).get("task", {}).get("name") == "babi":
    cli.quiet_checkpoint_logs()
    paths = [cli.write_or_exit(babi_run.write_attention, _WORKDIR.value, "visualise", _INDEX.value)]
    print(paths[0])
    return
  paths = cli.write_or_exit(
    workdir_figures.write_figures, _WORKDIR.value, "visualise", _LENGTH.value, _SEED_INDEX.value
  )
  for path in paths:
    print(path)


if __name__ == "__main__":
  app.run(main)
