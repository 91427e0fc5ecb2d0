"""The Neural GPU's long-tape evaluation: timing rows, and a trained run's scores per seed."""

from helpers import smoke_workdir

from experiments.benchmarks import neural_gpu


def test_a_row_times_the_evaluation_pass_of_the_configs_model():
  row = neural_gpu.measure(bits=2, batch_size=2, calls=1)
  assert (row["bits"], row["tape"], row["batch_size"]) == (2, 5, 2)
  assert row["first_call_s"] > 0 and row["call_s_median"] > 0 and row["peak_rss_mib"] > 0


def test_a_trained_runs_every_seed_is_scored_on_random_and_structured_inputs(tmp_path):
  workdir = tmp_path / "run"
  smoke_workdir.make_workdir(workdir, num_seeds=2, config_name="neural_gpu_addition")
  rows = neural_gpu.score(workdir, bits=4, batch_size=3)
  assert [row["seed"] for row in rows] == [0, 1] and all(row["step"] == 3 for row in rows)
  for row in rows:
    assert 0.0 <= row["sequence_accuracy"] <= 1.0 and row["sequences"] == 3
    assert isinstance(row["carry_right"], bool) and isinstance(row["sparse_right"], bool)
