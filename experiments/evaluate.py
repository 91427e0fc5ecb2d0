"""Length-generalisation sweep of a trained workdir: the evaluation binary.

  python -m experiments.evaluate --workdir=/tmp/ntm_copy \
    [--lengths=10,20,30] [--num_sequences=1000] [--batch_size=250]

Restores the latest checkpoint of --workdir (every seed), scores fresh
sequences of each length from a fixed evaluation key (the task's test lengths
by default: copy 10–120, Chomsky tasks 41–500), and writes
<workdir>/eval/sweep.csv, sweep.json and sweep.png; training files are never
touched. See memnets/training/evaluation.py for the protocol and the length
buckets that keep the number of compiled programs small.
"""

from absl import app, flags

from experiments import cli, platform
from memnets.figures import workdir as workdir_figures
from memnets.training import evaluation

_WORKDIR = flags.DEFINE_string("workdir", None, "Training workdir with checkpoints.")
_LENGTHS = flags.DEFINE_list("lengths", None, "Lengths to test (default: the task's).")
_NUM_SEQUENCES = flags.DEFINE_integer(
  "num_sequences", evaluation.DEFAULT_NUM_SEQUENCES, "Sequences per length."
)
_BATCH_SIZE = flags.DEFINE_integer(
  "batch_size", evaluation.DEFAULT_BATCH_SIZE, "Sequences per compiled call."
)
flags.mark_flags_as_required(["workdir"])


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  platform.setup()
  lengths = None if _LENGTHS.value is None else [int(v) for v in _LENGTHS.value]
  paths = cli.write_or_exit(
    workdir_figures.write_sweep,
    _WORKDIR.value,
    "evaluate",
    lengths,
    num_sequences=_NUM_SEQUENCES.value,
    batch_size=_BATCH_SIZE.value,
  )
  for path in paths:
    print(path)


if __name__ == "__main__":
  app.run(main)
