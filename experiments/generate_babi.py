"""Writes bAbI tasks 1, 2, 3, 6, 11 and 15 (Weston et al. 2015) in the release format.

Usage:
  python -m experiments.generate_babi --out_dir=/tmp/babi \
    --tasks=1,2,3,6,11,15 --sets=en,en-10k --seed=0

Writes `<out_dir>/en/qa1_single-supporting-fact_{train,test}.txt` etc.: 1,000
training and 1,000 test questions per task in `en`, 10,000 and 1,000 in
`en-10k`. Existing files are left alone and the run fails (exit status 1,
naming the file) unless --overwrite.
"""

import sys

from absl import app, flags, logging

from memnets.tasks.babi import generate

_OUT_DIR = flags.DEFINE_string("out_dir", None, "Root folder; files go to <out_dir>/<set>/.")
_TASKS = flags.DEFINE_list("tasks", ["1", "2", "3", "6", "11", "15"], "bAbI task numbers.")
_SETS = flags.DEFINE_list("sets", list(generate.SETS), "Sets to write: en, en-10k.")
_SEED = flags.DEFINE_integer("seed", 0, "Base seed; each file gets its own generator.")
_OVERWRITE = flags.DEFINE_bool("overwrite", False, "Replace existing files.")
flags.mark_flag_as_required("out_dir")


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  try:
    tasks = [int(task) for task in _TASKS.value]
  except ValueError as err:
    raise app.UsageError(f"--tasks must be integers: {err}") from None
  try:
    paths = generate.write_dataset(
      _OUT_DIR.value, tasks, _SETS.value, seed=_SEED.value, overwrite=_OVERWRITE.value
    )
  except (FileExistsError, ValueError) as err:
    sys.exit(f"generate_babi: error: {err}")
  for path in paths:
    logging.info("wrote %s", path)


if __name__ == "__main__":
  app.run(main)
