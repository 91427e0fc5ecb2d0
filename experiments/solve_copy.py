"""Time to solve copy from a cold start, and whether it stays solved.

  python -m experiments.solve_copy [--config=experiments/configs/ntm_copy.py] \
    [--seeds=0,1,2] [--steps=2000] [--check_every=50] [--num_sequences=1000] \
    [--threshold=0.01] [--output=solve.jsonl] [--compilation_cache=DIR] \
    [--config.train.batch_size=64 ...]

For each seed: the in-memory compilation caches are cleared (so every seed
compiles from scratch), the clock starts, the model and optimiser state are
built and the compiled multi-step training program runs `--check_every` steps
at a time. After each chunk a check measures the mean bit errors per sequence
on `--num_sequences` fresh sequences (lengths uniform on the config's training
range, a new draw at every check). "Solved" is the first check below
`--threshold` (the benchmark's target: 0.01 on 1,000 sequences); its wall time
includes compilation of the training program and of the check. The run then
goes on to `--steps`, and the result records the worst later check, so a
divergence after solving shows. The check's own time is included in the wall
clock; importing JAX is not. JAX's persistent compilation cache is off, so
each seed's compiles are cold, unless --compilation_cache names a directory:
then seeds after the first (and later runs) load the stored programs, which
times a warm start. Training batches and the check's
sequences are split over the devices as in the training loop (on the CPU, one
per core). One JSON line per seed on stdout (and appended to --output when
given), then a summary line.
"""

import dataclasses
import json
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
from absl import app, flags
from ml_collections import config_flags

from experiments import cli, platform
from memnets.tasks import metrics as task_metrics
from memnets.training import config as config_lib
from memnets.training import optimizers, sharding
from memnets.training import state as state_lib
from memnets.training import step as step_lib

CHECK_STREAM = 7  # PRNG stream of the check sequences (training uses others)

_CONFIG = config_flags.DEFINE_config_file(
  "config", "experiments/configs/ntm_copy.py", "Config file (path[:variant])."
)
_SEEDS = flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds, each trained from scratch.")
_STEPS = flags.DEFINE_integer("steps", 2000, "Optimiser steps per seed.")
_CHECK_EVERY = flags.DEFINE_integer("check_every", 50, "Steps between checks.")
_NUM_SEQUENCES = flags.DEFINE_integer("num_sequences", 1000, "Sequences per check.")
_THRESHOLD = flags.DEFINE_float("threshold", 0.01, "Solved below this many bit errors/sequence.")
_OUTPUT = flags.DEFINE_string("output", None, "Also append the JSON lines to this file.")
_COMPILATION_CACHE = cli.define_compilation_cache_flag()


def run_seed(config: config_lib.Config, seed: int) -> dict:
  """Trains one seed from scratch; returns its time to solve and later worst check."""
  jax.clear_caches()
  start = time.perf_counter()
  config = dataclasses.replace(config, train=dataclasses.replace(config.train, seed=seed))
  task = config_lib.build_task(config)
  graphdef = state_lib.graphdef(config, task)
  optimizer = optimizers.make(config.optimizer)
  layout = sharding.training_layout(config.train, _NUM_SEQUENCES.value)
  steps = step_lib.Steps(config, task, graphdef, optimizer, batch_sharding=layout.batch)
  state = state_lib.jit_init(config, task, optimizer, layout.state)(steps.seeds)
  lengths = (config.task.min_length, config.task.max_length)

  @jax.jit
  def check(params, step, seed):  # the seed an argument: one program for every seed
    check_key = step_lib.stream_key(seed, CHECK_STREAM)
    batch = task.sample(jax.random.fold_in(check_key, step), _NUM_SEQUENCES.value, lengths)
    batch = jax.lax.with_sharding_constraint(batch, sharding.batch_only(layout))
    logits = step_lib.forward(graphdef, params, batch.inputs)
    return jnp.mean(task_metrics.bit_errors(logits, batch.targets, batch.mask))

  solved_step = solved_s = None
  worst_after = 0.0
  checks = []
  step = 0
  while step < _STEPS.value:
    chunk = min(_CHECK_EVERY.value, _STEPS.value - step)
    state, _ = steps.train(state, chunk)
    step += chunk
    errors = float(check(state_lib.unstack(state, 0).params, step, jnp.int32(seed)))
    elapsed = time.perf_counter() - start
    checks.append((step, round(elapsed, 2), round(errors, 4)))
    if solved_step is None and errors < _THRESHOLD.value:
      solved_step, solved_s = step, elapsed
    elif solved_step is not None:
      worst_after = max(worst_after, errors)
  return {
    "seed": seed,
    "batch_size": config.train.batch_size,
    "optimizer": config.optimizer.name,
    "learning_rate": config.optimizer.learning_rate,
    "solved_step": solved_step,
    "solved_sequences": None if solved_step is None else solved_step * config.train.batch_size,
    "solved_s": None if solved_s is None else round(solved_s, 2),
    "worst_check_after_solved": round(worst_after, 4) if solved_step is not None else None,
    "stayed_solved": solved_step is not None and worst_after < _THRESHOLD.value,
    "total_s": round(time.perf_counter() - start, 2),
    "checks": checks,
  }


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  platform.setup(compilation_cache=False)
  try:
    config = config_lib.from_mapping(_CONFIG.value)
    config_lib.validate(config)
    seeds = [int(s) for s in _SEEDS.value]
  except (config_lib.ConfigError, ValueError) as error:
    sys.exit(f"error: {error}")
  if config.train.num_seeds != 1:
    sys.exit("error: train.num_seeds: solve_copy times one seed at a time; set it to 1")
  cli.set_compilation_cache(_COMPILATION_CACHE.value)
  results = []
  for seed in seeds:
    result = run_seed(config, seed)
    results.append(result)
    line = json.dumps(result)
    print(line, flush=True)
    if _OUTPUT.value:
      try:
        with open(_OUTPUT.value, "a") as f:
          f.write(line + "\n")
      except OSError as error:
        sys.exit(f"error: --output: {error}")
  times = [r["solved_s"] for r in results if r["solved_s"] is not None]
  summary = {
    "seeds": len(results),
    "solved": len(times),
    "stayed_solved": sum(r["stayed_solved"] for r in results),
    "median_solved_s": float(np.median(times)) if times else None,
    "max_solved_s": max(times) if times else None,
  }
  print(json.dumps(summary), flush=True)


if __name__ == "__main__":
  app.run(main)
