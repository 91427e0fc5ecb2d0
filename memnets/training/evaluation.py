"""Length-generalisation sweeps: a trained model's error against sequence length.

The protocol of the two papers whose generalisation results we reproduce:
- Graves, Wayne & Danihelka 2014 (NTM), §4.1: copy is trained on lengths 1–20
  and tested on longer sequences (up to 120); the score is the number of wrong
  output bits per sequence (outputs thresholded at 1/2) and the cost in bits.
- Delétang et al. 2023 (Chomsky hierarchy), §4: trained on lengths 1–40, tested
  on every length 41–500; the score is the per-token accuracy averaged over
  test lengths (we also report whole-sequence accuracy), best of several seeds.

Per length, `run_sweep` scores `num_sequences` fresh sequences drawn from a
fixed evaluation key (`sweep_key()`, a stream no training run uses), the same
sequences for every seed, and averages each metric over them.

Buckets: compiling one program per length would compile 460 programs for a
Chomsky sweep. Instead lengths are grouped into buckets whose longest member is
at most `bucket_ratio` times the shortest (`length_buckets`), and every length
of a bucket is sampled with `task.sample_lengths(key, lengths, max_length)`
padded to the bucket's longest length: one compiled program per bucket (7
buckets for 41–500 at the default ratio 1.5, at most 50% padding). Padding
comes after each sequence and our models are causal, so it does not change
the scored outputs; it only costs compute. Each length's sequences are a pure
function of (key, length, chunk index, padded length).

`Sweep` holds the metrics as `[K, L]` arrays (seeds × lengths); its best seed
is the one with the best average of the task's primary metric over all swept
lengths (the Delétang et al. convention), not a per-length best, so the
reported curve is one model's curve. `write_sweep` writes `sweep.csv` and
`sweep.json`; `memnets.figures.sweep` draws it.
"""

import csv
import json
import math
import pathlib
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from memnets import tasks
from memnets.tasks import metrics as task_metrics
from memnets.training import checkpoints
from memnets.training import step as step_lib

SWEEP_SEED = 0  # every run is swept on the same sequences, whatever its training seed
SWEEP_STREAM = 3  # fold_in tag; training uses step.DATA_STREAM (1) and step.EVAL_STREAM (2)
DEFAULT_NUM_SEQUENCES = 1000  # sequences per length
DEFAULT_BATCH_SIZE = 250  # sequences per compiled call
DEFAULT_BUCKET_RATIO = 1.5  # longest / shortest length sharing one compiled program
EVAL_DIR = "eval"  # sweep outputs go to <workdir>/eval/, never next to training files
CSV_FILE = "sweep.csv"
JSON_FILE = "sweep.json"

METRICS = {
  "bits": ("bit_errors", "cost_bits"),
  "categorical": ("token_accuracy", "sequence_accuracy", "prefix_accuracy"),
}
PRIMARY = {"bits": "bit_errors", "categorical": "token_accuracy"}

# forward(graphdef, params, inputs [B, T, I]) -> logits [B, T, O]
Forward = Callable[[Any, Any, jax.Array], jax.Array]


def higher_is_better(name: str) -> bool:
  """Accuracies are maximised; bit errors and costs minimised."""
  return "accuracy" in name


def sweep_key() -> jax.Array:
  """The fixed PRNG key of every sweep (distinct from all training and eval streams)."""
  return step_lib.stream_key(jnp.int32(SWEEP_SEED), SWEEP_STREAM)


def length_buckets(
  lengths: Sequence[int], ratio: float = DEFAULT_BUCKET_RATIO
) -> list[tuple[int, tuple[int, ...]]]:
  """Groups sorted distinct lengths greedily into buckets with max <= ratio · min.

  Args:
    lengths: positive ints, any order, repeats allowed.
    ratio: >= 1; 1 gives one bucket per length.

  Returns:
    `[(padded_max_length, (lengths ...)), ...]` in increasing order.
  """
  if ratio < 1:
    raise ValueError(f"bucket ratio must be >= 1, got {ratio}")
  buckets: list[list[int]] = []
  for length in sorted(set(int(v) for v in lengths)):
    if buckets and length <= ratio * buckets[-1][0]:
      buckets[-1].append(length)
    else:
      buckets.append([length])
  return [(group[-1], tuple(group)) for group in buckets]


def sequence_metrics(
  kind: str, logits: jax.Array, targets: jax.Array, mask: jax.Array
) -> dict[str, jax.Array]:
  """The sweep metrics of each sequence: `{name: [B]}` (names in `METRICS[kind]`)."""
  if kind == "bits":
    return {
      "bit_errors": task_metrics.bit_errors(logits, targets, mask),
      "cost_bits": task_metrics.cost_bits(logits, targets, mask),
    }
  if kind == "categorical":
    return {
      "token_accuracy": task_metrics.token_accuracy(logits, targets, mask),
      "sequence_accuracy": task_metrics.sequence_accuracy(logits, targets, mask),
      "prefix_accuracy": task_metrics.prefix_accuracy(logits, targets, mask),
    }
  raise ValueError(f"unknown loss kind {kind!r}; known: {tuple(METRICS)}")


class Sweep(NamedTuple):
  """Metrics of K seeds at L lengths, each the mean over `num_sequences` sequences."""

  kind: str  # the task's loss kind, "bits" or "categorical"
  lengths: np.ndarray  # [L] int, increasing
  metrics: dict[str, np.ndarray]  # name -> [K, L]
  num_sequences: int

  @property
  def num_seeds(self) -> int:
    return next(iter(self.metrics.values())).shape[0]

  @property
  def primary(self) -> str:
    """The task's error metric: bit errors, or per-token accuracy."""
    return PRIMARY[self.kind]

  @property
  def best_seed(self) -> int:
    """The seed with the best primary metric averaged over all swept lengths."""
    average_K = np.mean(self.metrics[self.primary], axis=1)
    pick = np.argmax if higher_is_better(self.primary) else np.argmin
    return int(pick(average_K))

  def mean(self, name: str) -> np.ndarray:
    """[L] the mean over seeds."""
    return np.mean(self.metrics[name], axis=0)

  def best(self, name: str) -> np.ndarray:
    """[L] the curve of `best_seed`."""
    return self.metrics[name][self.best_seed]


def run_sweep(
  task: tasks.Task,
  graphdef: Any,
  params: Any,
  lengths: Sequence[int],
  *,
  num_sequences: int = DEFAULT_NUM_SEQUENCES,
  batch_size: int = DEFAULT_BATCH_SIZE,
  key: jax.Array | None = None,
  bucket_ratio: float = DEFAULT_BUCKET_RATIO,
  forward: Forward = step_lib.forward,
) -> Sweep:
  """Scores K seeds' models at every length of `lengths`.

  Args:
    task: the task the models were trained on.
    graphdef: the models' `nnx.GraphDef`.
    params: stacked parameters, every leaf `[K, ...]` (`checkpoints.Restored.params`).
    lengths: the lengths to test (each >= `task.min_length`).
    num_sequences: sequences per length (the same for every seed).
    batch_size: sequences per compiled call; the last call of a length is cut to
      `num_sequences`.
    key: the sweep's PRNG key; `sweep_key()` when None.
    bucket_ratio: see `length_buckets`; one compiled program per bucket.
    forward: `(graphdef, params, inputs [B, T, I]) -> logits [B, T, O]` of one seed.

  Returns:
    A `Sweep` with `[K, L]` metrics for the sorted distinct lengths.
  """
  if num_sequences < 1 or batch_size < 1:
    raise ValueError(
      f"num_sequences and batch_size must be >= 1, got {num_sequences}, {batch_size}"
    )
  for length in lengths:
    task.check_length(length)
  key = sweep_key() if key is None else key
  batch_size = min(batch_size, num_sequences)
  num_chunks = math.ceil(num_sequences / batch_size)

  def chunk_metrics(params_K, chunk_key, lengths_B, max_length):
    batch = task.sample_lengths(chunk_key, lengths_B, max_length)

    def one_seed(seed_params):
      logits = forward(graphdef, seed_params, batch.inputs)
      return sequence_metrics(task.loss, logits, batch.targets, batch.mask)

    return jax.vmap(one_seed)(params_K)  # {name: [K, B]}

  evaluate = jax.jit(chunk_metrics, static_argnums=3)
  per_length = {}
  for max_length, group in length_buckets(lengths, bucket_ratio):
    for length in group:
      lengths_B = jnp.full((batch_size,), length, jnp.int32)
      length_key = jax.random.fold_in(key, length)
      per_length[length] = [
        evaluate(params, jax.random.fold_in(length_key, chunk), lengths_B, max_length)
        for chunk in range(num_chunks)
      ]
  sorted_lengths = sorted(per_length)
  metrics = {}
  for name in METRICS[task.loss]:
    columns = []
    for length in sorted_lengths:
      values_KxS = np.concatenate([np.asarray(c[name]) for c in per_length[length]], axis=1)
      columns.append(np.mean(values_KxS[:, :num_sequences], axis=1))
    metrics[name] = np.stack(columns, axis=1)
  return Sweep(task.loss, np.asarray(sorted_lengths), metrics, num_sequences)


def rows(sweep: Sweep) -> list[dict[str, Any]]:
  """Flat rows for the CSV: per length, one row per seed, plus "mean" and "best" if K > 1."""
  names = METRICS[sweep.kind]
  out = []
  for i, length in enumerate(sweep.lengths):
    for seed in range(sweep.num_seeds):
      row = {"length": int(length), "seed": seed}
      out.append(row | {name: float(sweep.metrics[name][seed, i]) for name in names})
    if sweep.num_seeds > 1:
      out.append(
        {"length": int(length), "seed": "mean"} | {n: float(sweep.mean(n)[i]) for n in names}
      )
      out.append(
        {"length": int(length), "seed": "best"} | {n: float(sweep.best(n)[i]) for n in names}
      )
  return out


def to_json(sweep: Sweep, **context) -> dict[str, Any]:
  """A JSON-able dict of the sweep; `context` (step, train_lengths, ...) is added as is."""
  names = METRICS[sweep.kind]
  return {
    **context,
    "kind": sweep.kind,
    "primary_metric": sweep.primary,
    "num_sequences": sweep.num_sequences,
    "num_seeds": sweep.num_seeds,
    "best_seed": sweep.best_seed,
    "lengths": [int(v) for v in sweep.lengths],
    "per_seed": {n: sweep.metrics[n].tolist() for n in names},
    "mean": {n: sweep.mean(n).tolist() for n in names},
    "best": {n: sweep.best(n).tolist() for n in names},
  }


def write_sweep(directory, sweep: Sweep, **context) -> list[pathlib.Path]:
  """Writes `sweep.csv` and `sweep.json` into `directory` (created); returns their paths."""
  directory = pathlib.Path(directory)
  directory.mkdir(parents=True, exist_ok=True)
  csv_path, json_path = directory / CSV_FILE, directory / JSON_FILE
  table = rows(sweep)
  with csv_path.open("w", newline="") as file:
    writer = csv.DictWriter(file, fieldnames=list(table[0]))
    writer.writeheader()
    writer.writerows(table)
  json_path.write_text(json.dumps(to_json(sweep, **context), indent=2) + "\n")
  return [csv_path, json_path]


def sweep_workdir(
  workdir,
  lengths: Sequence[int] | None = None,
  *,
  num_sequences: int = DEFAULT_NUM_SEQUENCES,
  batch_size: int = DEFAULT_BATCH_SIZE,
  bucket_ratio: float = DEFAULT_BUCKET_RATIO,
) -> tuple[Sweep, dict[str, Any]]:
  """Sweeps the latest checkpoint of `workdir` (all its seeds).

  Args:
    workdir: a training workdir.
    lengths: lengths to test; the task's `test_lengths` when None.

  Returns:
    `(sweep, context)`: context holds `workdir`, `step`, `task` and `train_lengths`
    (the run's training range), for `write_sweep` and the plot.

  Raises:
    FileNotFoundError: `workdir` has no config.json or no checkpoint.
  """
  restored = checkpoints.restore_latest(workdir)
  lengths = restored.task.test_lengths if lengths is None else lengths
  sweep = run_sweep(
    restored.task,
    restored.graphdef,
    restored.params,
    lengths,
    num_sequences=num_sequences,
    batch_size=batch_size,
    bucket_ratio=bucket_ratio,
  )
  context = {
    "workdir": str(workdir),
    "step": restored.step,
    "task": restored.config.task.name,
    "train_lengths": [restored.config.task.min_length, restored.config.task.max_length],
  }
  return sweep, context
