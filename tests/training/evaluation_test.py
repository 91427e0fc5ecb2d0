"""Tests of memnets.training.evaluation: length buckets, known-answer sweeps, files.

A hand-written "model" solves copy exactly from its inputs (the delimiter gives
the length L; the output at step t is the input at step t - L - 1), so its bit
errors are 0 at every length, and its negation gets every bit wrong: exactly
bits · L errors per sequence.
"""

import csv
import json

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from helpers import smoke_workdir

from memnets import tasks
from memnets.training import evaluation

BITS = 3
CONFIDENT_LOGIT = 10.0


def _copy_solver(traces):
  """A stub forward: seed params {"sign": +1 (exact copy) or -1 (every bit flipped)}."""

  def forward(graphdef, params, inputs_BxTxI):
    del graphdef
    traces.append(inputs_BxTxI.shape)
    num_steps = inputs_BxTxI.shape[1]
    length_B = jnp.argmax(inputs_BxTxI[..., -1], axis=1)
    source_BxT = jnp.clip(jnp.arange(num_steps)[None, :] - length_B[:, None] - 1, 0, num_steps - 1)
    bits_BxTxD = jnp.take_along_axis(inputs_BxTxI[..., :-1], source_BxT[..., None], axis=1)
    return params["sign"] * CONFIDENT_LOGIT * (2.0 * bits_BxTxD - 1.0)

  return forward


def _sweep(lengths, signs=(1.0, -1.0), traces=None, **kwargs):
  traces = [] if traces is None else traces
  task = tasks.get("copy", bits=BITS)
  params = {"sign": jnp.asarray(signs)}
  return evaluation.run_sweep(task, None, params, lengths, forward=_copy_solver(traces), **kwargs)


def test_length_buckets_by_hand():
  assert evaluation.length_buckets(range(10, 121, 10), 1.5) == [
    (10, (10,)),
    (30, (20, 30)),
    (60, (40, 50, 60)),
    (100, (70, 80, 90, 100)),
    (120, (110, 120)),
  ]
  assert evaluation.length_buckets([5, 3, 3, 4], 1.0) == [(3, (3,)), (4, (4,)), (5, (5,))]
  chomsky = evaluation.length_buckets(range(41, 501))
  assert len(chomsky) == 7 and chomsky[-1][0] == 500
  assert sum(len(group) for _, group in chomsky) == 460
  for padded, group in chomsky:
    assert padded == max(group) <= evaluation.DEFAULT_BUCKET_RATIO * min(group)
  with pytest.raises(ValueError, match="ratio"):
    evaluation.length_buckets([1, 2], 0.5)


def test_perfect_and_inverted_copy_known_answer():
  lengths = (2, 3, 5)
  sweep = _sweep(lengths, num_sequences=10, batch_size=4)  # 3 chunks, the last one cut
  np.testing.assert_array_equal(sweep.lengths, lengths)
  assert sweep.metrics["bit_errors"].shape == (2, 3)
  np.testing.assert_array_equal(sweep.metrics["bit_errors"][0], 0.0)
  np.testing.assert_array_equal(sweep.metrics["bit_errors"][1], BITS * np.array(lengths))
  cost_bits = sweep.metrics["cost_bits"]
  assert np.all(cost_bits[0] < 1e-2)  # confident and right: ~0 bits
  np.testing.assert_allclose(  # confident and wrong: ~10 nats per bit
    cost_bits[1], BITS * np.array(lengths) * CONFIDENT_LOGIT / np.log(2.0), rtol=1e-3
  )
  assert sweep.best_seed == 0 and sweep.primary == "bit_errors"
  np.testing.assert_array_equal(sweep.best("bit_errors"), 0.0)
  np.testing.assert_allclose(sweep.mean("bit_errors"), BITS * np.array(lengths) / 2)


def test_buckets_bound_the_number_of_compilations():
  traces = []
  lengths = (2, 3, 4, 5, 6, 7, 8)
  sweep = _sweep(lengths, traces=traces, num_sequences=4, batch_size=4, bucket_ratio=2.0)
  buckets = evaluation.length_buckets(lengths, 2.0)
  assert len(buckets) == 2  # (2..4) and (5..8)
  assert len(traces) == len(buckets)  # one compiled program per bucket, not per length
  task = tasks.get("copy", bits=BITS)
  assert sorted(shape[1] for shape in traces) == [task.num_steps(4), task.num_steps(8)]
  np.testing.assert_array_equal(sweep.metrics["bit_errors"][1], BITS * np.array(lengths))


def test_same_key_same_result_other_key_differs():
  def zero_bits(graphdef, params, inputs):  # always predicts 0: errors = the number of ones
    del graphdef
    return -jnp.ones(inputs.shape[:2] + (BITS,)) * params["sign"][..., None]

  task = tasks.get("copy", bits=BITS)
  params = {"sign": jnp.ones((1,))}

  def run(key):
    return evaluation.run_sweep(
      task, None, params, (4,), num_sequences=8, batch_size=8, key=key, forward=zero_bits
    ).metrics["bit_errors"]

  np.testing.assert_array_equal(run(None), run(evaluation.sweep_key()))
  assert not np.array_equal(run(None), run(jax.random.key(123)))
  assert 0 < float(run(None)[0, 0]) < BITS * 4


def test_categorical_accuracies_in_range():
  task = tasks.get("parity_check")

  def always_class_0(graphdef, params, inputs):
    del graphdef
    logits = jnp.zeros(inputs.shape[:2] + (task.output_size,)).at[..., 0].set(1.0)
    return logits * params["scale"]

  sweep = evaluation.run_sweep(
    task, None, {"scale": jnp.ones((1,))}, (5, 6), num_sequences=16, forward=always_class_0
  )
  assert sweep.primary == "token_accuracy"
  token, sequence = sweep.metrics["token_accuracy"], sweep.metrics["sequence_accuracy"]
  assert np.all((token >= 0) & (token <= 1))
  np.testing.assert_array_equal(token, sequence)  # one scored step per sequence
  assert 0 < float(np.mean(token)) < 1  # parity is 0 for some strings, 1 for others


def test_length_below_minimum_is_an_error():
  with pytest.raises(ValueError, match="minimum"):
    _sweep((0, 2), num_sequences=2)


def test_sweep_workdir_rows_and_files(tmp_path):
  workdir = tmp_path / "run"
  config = smoke_workdir.make_workdir(workdir, num_seeds=2)
  lengths = (2, 5)
  sweep, context = evaluation.sweep_workdir(workdir, lengths, num_sequences=6, batch_size=6)
  bits = config.task.kwargs["bits"]
  assert context["step"] == 3 and context["train_lengths"] == [1, 3]
  errors = sweep.metrics["bit_errors"]
  assert errors.shape == (2, 2)
  assert np.all((errors >= 0) & (errors <= bits * np.array(lengths)))
  assert np.all(sweep.metrics["cost_bits"] > 0)
  paths = evaluation.write_sweep(workdir / evaluation.EVAL_DIR, sweep, **context)
  with paths[0].open() as file:
    table = list(csv.DictReader(file))
  assert [row["seed"] for row in table] == ["0", "1", "mean", "best"] * 2
  assert [int(row["length"]) for row in table] == [2] * 4 + [5] * 4
  saved = json.loads(paths[1].read_text())
  assert saved["lengths"] == [2, 5] and saved["step"] == 3 and saved["num_seeds"] == 2
  np.testing.assert_allclose(saved["per_seed"]["bit_errors"], errors)
  np.testing.assert_allclose(saved["best"]["bit_errors"], errors[saved["best_seed"]])


def test_no_checkpoint_is_file_not_found(tmp_path):
  with pytest.raises(FileNotFoundError, match=str(tmp_path)):
    evaluation.sweep_workdir(tmp_path, (2,))
