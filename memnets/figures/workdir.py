"""The figures of a training workdir: the length sweep, one example sequence, learning curves.

`write_sweep(workdir)` runs `evaluation.sweep_workdir` and writes
`<workdir>/eval/sweep.csv`, `sweep.json` and `sweep.png`.

`write_figures(workdir)` restores the latest checkpoint, runs one sequence
(drawn from a fixed key derived from the sweep key, so reruns show the same
sequence) through one seed's model with every step's state kept
(`unroll(..., return_states=True)`), and draws it with `example.plot_example`;
models whose state has no head weightings (no external memory) get the
input/target/output panels only. It then draws `metrics.jsonl` with
`curves.plot_learning_curves`. A DNC also gets its memory internals over the
same sequence (`DNCCell.trace`, drawn by `dnc.plot_dnc`). Everything goes to
`<workdir>/figures/`.
"""

import pathlib
from typing import Any

import jax
import numpy as np

from memnets.figures import curves, dnc, example, sweep
from memnets.training import checkpoints, evaluation, writers
from memnets.unrolling import unroll

FIGURES_DIR = "figures"
SWEEP_PNG = "sweep.png"
EXAMPLE_PNG = "example.png"
CURVES_PNG = "learning_curves.png"
DNC_PNG = "dnc_memory.png"  # a DNC's usage, gates, read modes and links
EXAMPLE_TAG = 1  # fold_in tag of the example's key, under evaluation.sweep_key()


def _example_batch(task, length: int):
  """The example sequence of `length`: from a fixed key, so reruns show the same one."""
  return task.sample(jax.random.fold_in(evaluation.sweep_key(), EXAMPLE_TAG), 1, int(length))


def example_arrays(restored: checkpoints.Restored, length: int, seed_index: int = 0):
  """One example of `length` through seed `seed_index`: the keyword arguments of plot_example."""
  task = restored.task
  batch = _example_batch(task, length)
  model = restored.model(seed_index)
  unrolled = unroll(model, batch.inputs, return_states=True)
  logits = unrolled.ys[0]
  if task.loss == "bits":
    outputs = jax.nn.sigmoid(logits)
  else:
    outputs = jax.nn.softmax(logits, axis=-1)
  arrays: dict[str, Any] = {
    "inputs": batch.inputs[0],
    "targets": batch.targets[0],
    "outputs": outputs,
    "mask": batch.mask[0],
  }
  for name in ("read_weights", "write_weights"):
    if hasattr(unrolled.states, name):
      weights = getattr(unrolled.states, name)[0]  # [T, heads, N], or [T, N] for one head
      arrays[name] = weights if weights.ndim == 3 else weights[:, None, :]
  if hasattr(model, "memory_rows"):
    arrays["memory"] = model.memory_rows(unrolled.state)[0]  # [N, M]
  return {name: np.asarray(value) for name, value in arrays.items()}


def write_figures(workdir, length: int | None = None, seed_index: int = 0) -> list[pathlib.Path]:
  """Writes `example.png`, `dnc_memory.png` for a DNC, and `learning_curves.png` (if there
  are metrics).

  Args:
    workdir: a training workdir with a checkpoint.
    length: the example's length; the run's longest training length when None.
    seed_index: which seed's model draws the example.

  Returns:
    The paths written, under `<workdir>/figures/`.

  Raises:
    FileNotFoundError: no config.json or no checkpoint in `workdir`.
    ValueError: `seed_index` out of range, or `length` below the task's minimum.
  """
  restored = checkpoints.restore_latest(workdir)
  num_seeds = restored.config.train.num_seeds
  if not 0 <= seed_index < num_seeds:
    raise ValueError(f"seed_index {seed_index} is out of range for {num_seeds} seeds")
  length = restored.config.task.max_length if length is None else length
  directory = pathlib.Path(workdir) / FIGURES_DIR
  title = (
    f"{restored.config.model.name} on {restored.config.task.name}, length {length}, "
    f"seed index {seed_index}, step {restored.step}"
  )
  arrays = example_arrays(restored, length, seed_index)
  paths = [example.plot_example(directory / EXAMPLE_PNG, title=title, **arrays)]
  model = restored.model(seed_index)
  if hasattr(model, "trace"):  # a DNC: its memory internals too
    inputs = _example_batch(restored.task, length).inputs
    trace = jax.tree.map(lambda x: np.asarray(x[0]), model.trace(inputs))
    paths.append(dnc.plot_dnc(directory / DNC_PNG, trace, title=title))
  metrics_path = pathlib.Path(workdir) / writers.METRICS_FILE
  if metrics_path.exists():
    names = ("loss", *evaluation.METRICS[restored.task.loss])
    rows = curves.read_metrics(metrics_path)
    paths.append(curves.plot_learning_curves(directory / CURVES_PNG, rows, names))
  return paths


def write_sweep(
  workdir,
  lengths=None,
  *,
  num_sequences: int = evaluation.DEFAULT_NUM_SEQUENCES,
  batch_size: int = evaluation.DEFAULT_BATCH_SIZE,
) -> list[pathlib.Path]:
  """Sweeps `workdir` (`evaluation.sweep_workdir`); writes CSV, JSON and PNG to `<workdir>/eval/`.

  Returns:
    The paths written.

  Raises:
    FileNotFoundError: no config.json or no checkpoint in `workdir`.
  """
  result, context = evaluation.sweep_workdir(
    workdir, lengths, num_sequences=num_sequences, batch_size=batch_size
  )
  directory = pathlib.Path(workdir) / evaluation.EVAL_DIR
  paths = evaluation.write_sweep(directory, result, **context)
  title = (
    f"{context['task']} at step {context['step']}: {num_sequences} sequences per length, "
    f"training lengths shaded"
  )
  png = sweep.plot_sweep(directory / SWEEP_PNG, result, context["train_lengths"], title)
  return [*paths, png]
