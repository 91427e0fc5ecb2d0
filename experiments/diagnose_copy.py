"""Which copy sequences a trained model gets wrong, and how: the copy-failure diagnosis.

  python -m experiments.diagnose_copy --workdir=DIR [--lengths=1,2,...,20] \
    [--num_sequences=500] [--min_wrong=4] [--output=failures.json]

Restores the latest checkpoint of --workdir (a copy-task run, every seed) and
scores `--num_sequences` fresh sequences of each length (a fixed key, so
every seed sees the same sequences). A sequence "fails" with at least
`--min_wrong` wrong bits. For each failure it records whether one of its input
vectors is all zero (the input of such a step equals an output-phase step's
input: no bits, no delimiter) and the offset at which the output matches the
input best (+1: the model emitted x_{t+1} where x_t was due, i.e. its read
head ran one slot ahead). One JSON line per seed on stdout:
`{"seed", "sequences", "failed", "failed_with_zero_vector", "with_zero_vector",
"offsets": {offset: count}}`; `--output` writes them as one JSON list.
"""

import json
import pathlib

from absl import app, flags

from experiments import cli, copy_failures, platform
from memnets.training import checkpoints

_WORKDIR = flags.DEFINE_string("workdir", None, "Copy-task workdir with checkpoints.")
_LENGTHS = flags.DEFINE_list("lengths", None, "Lengths (default: 1..the training maximum).")
_NUM_SEQUENCES = flags.DEFINE_integer("num_sequences", 500, "Sequences per length.")
_MIN_WRONG = flags.DEFINE_integer("min_wrong", 4, "Wrong bits that make a sequence fail.")
_OUTPUT = flags.DEFINE_string("output", None, "Also write the per-seed results here (JSON).")
flags.mark_flags_as_required(["workdir"])


def _run(workdir: str, lengths, num_sequences: int, min_wrong: int) -> list[dict]:
  restored = checkpoints.restore_latest(workdir)
  if lengths is None:
    lengths = range(1, restored.config.task.max_length + 1)
  return copy_failures.diagnose(restored, [int(v) for v in lengths], num_sequences, min_wrong)


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  platform.setup()
  if _NUM_SEQUENCES.value < 1 or _MIN_WRONG.value < 1:
    raise app.UsageError("--num_sequences and --min_wrong must be >= 1")
  results = cli.write_or_exit(
    _run, _WORKDIR.value, "diagnose_copy", _LENGTHS.value, _NUM_SEQUENCES.value, _MIN_WRONG.value
  )
  for result in results:
    print(json.dumps(result))
  if _OUTPUT.value:
    pathlib.Path(_OUTPUT.value).write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
  app.run(main)
