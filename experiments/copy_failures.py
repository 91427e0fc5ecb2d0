"""The copy-failure diagnosis (experiments/diagnose_copy.py's library, no flags).

A copy sequence "fails" with at least `min_wrong` wrong bits. `diagnose`
counts, per seed of a restored run, the failures, those among them with an
all-zero input vector (such a step's input equals an output-phase step's:
no bits, no delimiter), and the offset at which each failed output matches
its input best (`best_offset`: +1 when the model emitted x_{t+1} where x_t
was due, i.e. its read head ran one slot ahead).
"""

import collections

import jax
import numpy as np

from memnets.training import step as step_lib

DIAGNOSIS_STREAM = 11  # PRNG stream of the diagnosed sequences (training uses others)
MAX_OFFSET = 3  # offsets -3..3 are tried when aligning a failed output with its input


def best_offset(outputs_LxD: np.ndarray, inputs_LxD: np.ndarray) -> int:
  """The offset o in [-MAX_OFFSET, MAX_OFFSET] whose x_{t+o} best matches output t.

  Outputs and inputs are [L, D] bits; positions shifted past either end
  count as mismatches, so the offset 0 wins ties.
  """
  length, width = inputs_LxD.shape

  def wrong(offset: int) -> int:
    start, stop = max(0, -offset), min(length, length - offset)  # t whose x_{t+o} exists
    differ = outputs_LxD[start:stop] != inputs_LxD[start + offset : stop + offset]
    return int(np.sum(differ)) + min(abs(offset), length) * width

  return min(sorted(range(-MAX_OFFSET, MAX_OFFSET + 1), key=abs), key=wrong)


def diagnose(restored, lengths, num_sequences: int, min_wrong: int) -> list[dict]:
  """Per seed of `restored` (a `checkpoints.Restored` copy run): failures and their kinds."""
  task = restored.task
  if task.name != "copy":
    raise ValueError(f"task.name: the copy diagnosis needs a copy run, got {task.name!r}")
  num_seeds = jax.tree.leaves(restored.params)[0].shape[0]
  forward = jax.jit(
    jax.vmap(lambda p, x: step_lib.forward(restored.graphdef, p, x), in_axes=(0, None))
  )
  bits = task.bits
  results = [
    {"sequences": 0, "failed": 0, "failed_with_zero_vector": 0, "with_zero_vector": 0}
    for _ in range(num_seeds)
  ]
  offsets = [collections.Counter() for _ in range(num_seeds)]
  key = jax.random.fold_in(jax.random.key(0), DIAGNOSIS_STREAM)
  for length in lengths:
    batch = task.sample(jax.random.fold_in(key, length), num_sequences, length)
    logits = np.asarray(forward(restored.params, batch.inputs))  # [K, B, T, D]
    inputs = np.asarray(batch.inputs[:, :length, :bits]) > 0.5  # [B, L, D]
    has_zero = np.any(~inputs.any(-1), -1)  # [B]: some input vector is all zero
    outputs = logits[:, :, length + 1 : 2 * length + 1] > 0  # [K, B, L, D]
    wrong = np.sum(outputs != inputs[None], axis=(2, 3))  # [K, B]
    for k in range(num_seeds):
      failed = wrong[k] >= min_wrong
      results[k]["sequences"] += num_sequences
      results[k]["failed"] += int(failed.sum())
      results[k]["failed_with_zero_vector"] += int((failed & has_zero).sum())
      results[k]["with_zero_vector"] += int(has_zero.sum())
      for i in np.nonzero(failed)[0]:
        offsets[k][best_offset(outputs[k, i], inputs[i])] += 1
  for k, result in enumerate(results):
    result["seed"] = k
    result["offsets"] = {str(o): n for o, n in sorted(offsets[k].items())}
  return results
