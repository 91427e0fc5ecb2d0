"""The main job (`make demo`): train an NTM to copy, sweep lengths, draw the figures.

  python -m experiments.demo [--workdir=./workdirs/demo] [--time_budget_s=300] \
    [--config=experiments/configs/ntm_copy.py[:smoke]] [--target=0.1] [--settle_steps=2000]

1. Trains the config (by default the NTM copy run of Graves et al. 2014, §4.1,
   experiments/configs/ntm_copy.py) into --workdir, resuming from its latest
   checkpoint, until it is solved — the mean over seeds of the end-of-chunk
   evaluation's bit errors per sequence (training lengths) is at most --target
   — and then --settle_steps more (a model that has just reached the target
   generalises to longer sequences far worse than one trained on a while),
   or until the wall-clock budget is spent, or the config's train.steps are done.
   Training runs in chunks: `train_and_evaluate` with a growing `train.steps`,
   each call resuming from the previous one's final checkpoint (bit-identical
   to one uninterrupted run). The first chunk is `train.log_every` steps, to
   measure the speed; later chunks fill the remaining budget, at most
   `train.eval_every` steps each. A persistent compilation cache in the workdir
   spares most of the recompilation between chunks.
2. Runs the length-generalisation sweep (lengths 10–120) into <workdir>/eval/.
3. Writes the example and learning-curve figures into <workdir>/figures/.
Prints where everything is. On a CPU a 300 s budget is far from enough to
solve copy with the full-size config (the paper trains for ~10^5 sequences);
run again to continue from the checkpoint, or train on an accelerator with
experiments.train. The sweep and figures run after the budget, outside it.
"""

import copy
import json
import pathlib
import sys
import time

import jax
from absl import app, flags, logging
from ml_collections import config_flags

from experiments import cli, platform
from memnets import training
from memnets.figures import workdir as workdir_figures
from memnets.training import checkpoints, evaluation, loop

CONFIG_PATH = pathlib.Path(__file__).resolve().parent / "configs" / "ntm_copy.py"
DEFAULT_WORKDIR = "./workdirs/demo"
DEFAULT_TIME_BUDGET_S = 300.0
DEFAULT_TARGET = 0.1  # "solved": at most this many wrong bits per sequence, on average
DEFAULT_SETTLE_STEPS = 2000  # trained on after solving, before the sweep
DEMO_LENGTHS = tuple(range(10, 121, 10))  # copy lengths 10, 20, ..., 120 (NTM paper, §4.1)
DEMO_NUM_SEQUENCES = 256  # sequences per length (evaluate.py defaults to 1000)
BUDGET_SAFETY = 0.9  # fraction of the remaining budget a chunk is sized to fill
COMPILATION_CACHE_DIR = "jax_cache"  # under the workdir

_CONFIG = config_flags.DEFINE_config_file(
  "config", str(CONFIG_PATH), "Config file (path[:variant])."
)
_WORKDIR = flags.DEFINE_string("workdir", DEFAULT_WORKDIR, "Workdir; resumed if it exists.")
_TIME_BUDGET_S = flags.DEFINE_float("time_budget_s", DEFAULT_TIME_BUDGET_S, "Training time budget.")
_TARGET = flags.DEFINE_float(
  "target", DEFAULT_TARGET, "Solved at this many bit errors per sequence."
)
_SETTLE_STEPS = flags.DEFINE_integer(
  "settle_steps", DEFAULT_SETTLE_STEPS, "Steps trained on after solving (within the budget)."
)
_LENGTHS = flags.DEFINE_list("lengths", [str(v) for v in DEMO_LENGTHS], "Sweep lengths.")
_NUM_SEQUENCES = flags.DEFINE_integer("num_sequences", DEMO_NUM_SEQUENCES, "Sequences per length.")


def _latest_step(config, workdir: pathlib.Path) -> int:
  if not checkpoints.has_checkpoints(workdir):
    return 0
  manager = checkpoints.manager(workdir, config.train.max_to_keep, create=False)
  step = manager.latest_step()
  manager.close()
  return int(step or 0)


def _error(summary) -> tuple[str, float]:
  """The summary's primary error metric (mean over seeds) and its name."""
  name = "bit_errors" if "bit_errors/mean" in summary else "token_accuracy"
  return name, float(summary[f"{name}/mean"])


def _solved(summary, target: float) -> bool:
  name, value = _error(summary)
  return value >= target if evaluation.higher_is_better(name) else value <= target


def _verdict(summary, total: int) -> str:
  if _solved(summary, _TARGET.value):
    return f"solved (target {_TARGET.value:g})"
  if summary["step"] >= total:
    return f"not solved within the config's {total} steps"
  return "not solved within the time budget; run again to resume"


def _next_chunk(train, remaining_s: float, steps_per_s: float) -> int:
  """Steps that fit in the remaining time (at the measured speed), at most one eval period."""
  longest = train.eval_every if train.eval_every > 0 else train.checkpoint_every
  return max(0, min(longest, int(remaining_s * BUDGET_SAFETY * steps_per_s)))


def train_until_solved(
  config, workdir: pathlib.Path, budget_s: float, target: float, settle_steps: int = 0
):
  """Trains in chunks until solved and `settle_steps` more, out of time or out of steps.

  Returns the last summary. A resumed workdir that is already solved counts
  as solved at its latest step.
  """
  began = time.monotonic()
  total = config.train.steps
  step = _latest_step(config, workdir)
  summary_path = workdir / loop.SUMMARY_FILE
  summary = None
  if step > 0 and summary_path.exists():
    summary = json.loads(summary_path.read_text())
  solved_at = step if summary is not None and _solved(summary, target) else None
  chunk = config.train.log_every
  while summary is None or (
    step < total and chunk > 0 and (solved_at is None or step < solved_at + settle_steps)
  ):
    if solved_at is not None:
      chunk = min(chunk, solved_at + settle_steps - step)
    config.train.steps = min(step + chunk, total)
    chunk_began = time.monotonic()
    summary = training.train_and_evaluate(config, workdir)
    steps_per_s = max(summary["step"] - step, 1) / (time.monotonic() - chunk_began)
    step = summary["step"]
    name, value = _error(summary)
    logging.info("Demo: step %d, %s %.4g (target %g)", step, name, value, target)
    if solved_at is None and _solved(summary, target):
      solved_at = step
    chunk = _next_chunk(config.train, budget_s - (time.monotonic() - began), steps_per_s)
  return summary


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  if _SETTLE_STEPS.value < 0:
    raise app.UsageError(f"--settle_steps must be >= 0, got {_SETTLE_STEPS.value}")
  platform.setup()
  cli.quiet_checkpoint_logs()
  workdir = pathlib.Path(_WORKDIR.value)
  workdir.mkdir(parents=True, exist_ok=True)
  jax.config.update("jax_compilation_cache_dir", str((workdir / COMPILATION_CACHE_DIR).absolute()))
  config = copy.deepcopy(_CONFIG.value)
  total = config.train.steps
  try:
    summary = train_until_solved(
      config, workdir, _TIME_BUDGET_S.value, _TARGET.value, _SETTLE_STEPS.value
    )
  except (training.ConfigError, training.NonFiniteError) as error:
    sys.exit(f"error: {error}")
  lengths = [int(v) for v in _LENGTHS.value]
  paths = workdir_figures.write_sweep(workdir, lengths, num_sequences=_NUM_SEQUENCES.value)
  paths += workdir_figures.write_figures(workdir)
  name, value = _error(summary)
  print(f"Step {summary['step']}: {name} {value:.4g} per sequence, {_verdict(summary, total)}.")
  for path in paths:
    print(path)


if __name__ == "__main__":
  app.run(main)
