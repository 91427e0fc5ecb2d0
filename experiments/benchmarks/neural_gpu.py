"""The Neural GPU's evaluation pass at long tapes (`experiments.neural_gpu_eval`'s measurements).

`measure` times the jitted evaluation pass (`NeuralGPU.__call__`, the
`neural_gpu_addition` config's model sizes) on one length: the first call
(compilation included), the median of the next calls, and the process's peak
RSS. `score` scores a trained run's every seed on random additions (or
multiplications) and on Price et al.'s structured inputs.
"""

import resource
import statistics
import time

import jax
from flax import nnx

from experiments.configs import neural_gpu_addition
from memnets import models, tasks
from memnets.tasks import metrics as task_metrics
from memnets.tasks import neural_gpu
from memnets.training import checkpoints


def measure(bits: int, batch_size: int, calls: int) -> dict:
  """One JSON-able row: the evaluation pass on `batch_size` tapes of `bits`-bit additions."""
  config = neural_gpu_addition.get_config()
  task = tasks.get(config.task.name)
  sizes = {k: v for k, v in config.model.to_dict().items() if k != "name"}
  model = models.build("neural_gpu", task.input_size, task.output_size, rngs=nnx.Rngs(0), **sizes)
  batch = task.sample(jax.random.key(0), batch_size, bits)
  forward = jax.jit(lambda inputs: model(inputs))
  began = time.perf_counter()
  jax.block_until_ready(forward(batch.inputs))
  first = time.perf_counter() - began
  times = []
  for _ in range(calls):
    began = time.perf_counter()
    jax.block_until_ready(forward(batch.inputs))
    times.append(time.perf_counter() - began)
  return {
    "bits": bits, "tape": task.num_steps(bits), "batch_size": batch_size,
    "first_call_s": first, "call_s_median": statistics.median(times),
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "backend": jax.default_backend(),
  }  # fmt: skip


def score(workdir, bits: int, batch_size: int) -> list[dict]:
  """Per seed of the run in `workdir`: random and structured inputs of `bits` bits."""
  run = checkpoints.restore_latest(workdir)
  rows = []
  for seed in range(run.config.train.num_seeds):
    forward = jax.jit(run.model(seed))
    random = run.task.sample(jax.random.key(1), batch_size, bits)
    row = {"seed": seed, "bits": bits, "step": run.step, "sequences": batch_size}
    right = task_metrics.sequence_accuracy(forward(random.inputs), random.targets, random.mask)
    row["sequence_accuracy"] = float(right.mean())
    for kind in neural_gpu.STRUCTURED:
      batch = run.task.structured(kind, 1, bits)
      right = task_metrics.sequence_accuracy(forward(batch.inputs), batch.targets, batch.mask)
      row[f"{kind}_right"] = bool(right[0])
    rows.append(row)
  return rows
