"""Compares the offline bAbI generator with a release folder, task by task.

Usage:
  python -m experiments.compare_babi --data_dir=../shared/babi/en --tasks=1,2,3,6,11,15

Prints a markdown table of `babi.stats.statistics` over each task's training
file in --data_dir (the release) and over the generator's training set of the
same size (`--seed`), one line per task and source.
"""

import sys

from absl import app, flags

from memnets.tasks import babi
from memnets.tasks.babi import generate, stats

_DATA_DIR = flags.DEFINE_string("data_dir", None, "A release folder (e.g. ../shared/babi/en).")
_TASKS = flags.DEFINE_list("tasks", ["1", "2", "3", "6", "11", "15"], "Generated task numbers.")
_SEED = flags.DEFINE_integer("seed", 0, "The generator's seed.")
flags.mark_flag_as_required("data_dir")

COLUMNS = ("statements", "supports", "latest_support", "earliest_support", "moves", "takes",
           "drops", "top_answer", "answers")  # fmt: skip


def table(data_dir, tasks, seed: int) -> str:
  """The markdown table: a `release` and a `generator` line per task."""
  lines = [
    "| task | source | questions | " + " | ".join(COLUMNS) + " |",
    "| --- | --- | --- |" + " --- |" * len(COLUMNS),
  ]
  for task in tasks:
    real = [e for _, e in babi.load(data_dir, [task], "train_full")]
    text = generate.generate_file_text(seed, task, "en", "train", num_questions=len(real))
    for source, examples in (("release", real), ("generator", babi.parse(text))):
      values = stats.statistics(examples)
      cells = [f"{values[c]:.2f}" if values[c] < 100 else f"{values[c]:.0f}" for c in COLUMNS]
      lines.append(f"| {task} | {source} | {values['questions']:.0f} | " + " | ".join(cells) + " |")
  return "\n".join(lines)


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  try:
    tasks = [int(task) for task in _TASKS.value]
    print(table(_DATA_DIR.value, tasks, _SEED.value))
  except (FileNotFoundError, ValueError) as err:
    sys.exit(f"compare_babi: error: {err}")


if __name__ == "__main__":
  app.run(main)
