"""experiments.benchmarks.timing: the timing loop, its budget, the measured rows and the table."""

import gzip
import json

import chex
import jax
import pytest
from helpers.configs import tiny_config

from experiments.benchmarks import programs, timing
from experiments.configs import lstm_copy, ntm_copy
from memnets.training import config as config_lib

STRING_FIELDS = ("model", "task", "backend", "device", "peak_memory_source")
INT_FIELDS = ("batch_size", "length", "time_steps", "params", "timed_steps", "requested_steps")
POSITIVE_FLOAT_FIELDS = (
  "compile_s",
  "step_ms_median",
  "step_ms_min",
  "step_ms_max",
  "train_sequences_per_s",
  "forward_compile_s",
  "forward_ms_median",
  "forward_ms_min",
  "forward_ms_max",
  "forward_sequences_per_s",
)


def check_row(row, batch_size):
  """The invariants of every row: types, ordering of the statistics, throughput = B / median."""
  for field in STRING_FIELDS:
    assert isinstance(row[field], str) and row[field], field
  for field in INT_FIELDS:
    assert isinstance(row[field], int) and row[field] > 0, field
  for field in POSITIVE_FLOAT_FIELDS:
    assert isinstance(row[field], float) and row[field] > 0, field
  assert isinstance(row["remat"], bool) and isinstance(row["budget_limited"], bool)
  assert row["step_ms_min"] <= row["step_ms_median"] <= row["step_ms_max"]
  assert row["forward_ms_min"] <= row["forward_ms_median"] <= row["forward_ms_max"]
  assert timing.MIN_TIMED_STEPS <= row["timed_steps"] <= row["requested_steps"]
  assert row["budget_limited"] == (row["timed_steps"] < row["requested_steps"])
  assert row["batch_size"] == batch_size
  assert row["train_sequences_per_s"] == pytest.approx(batch_size / row["step_ms_median"] * 1e3)
  assert row["forward_sequences_per_s"] == pytest.approx(
    batch_size / row["forward_ms_median"] * 1e3
  )
  assert row["peak_memory_bytes"] > 0 and row["rss_increase_bytes"] >= 0


class FakeClock:
  """A clock that advances `tick` seconds each time it is read."""

  def __init__(self, tick):
    self.now, self.tick = 0.0, tick

  def __call__(self):
    self.now += self.tick
    return self.now


def test_time_calls_threads_the_carry_and_counts_calls():
  measured, carry = timing.time_calls(lambda n: n + 1, 0, num_steps=7, min_steps=5, budget_s=1e9)
  assert carry == 1 + timing.WARMUP_CALLS + 7  # first call, warm-up, timed calls
  assert len(measured.times_s) == 7 and measured.requested == 7 and not measured.budget_limited
  assert measured.first_call_s >= 0
  assert measured.min_ms <= measured.median_ms <= measured.max_ms


def test_time_calls_stops_at_the_budget_but_not_below_min_steps():
  measured, carry = timing.time_calls(
    lambda n: n + 1, 0, num_steps=20, min_steps=5, budget_s=1.0, clock=FakeClock(10.0)
  )
  assert len(measured.times_s) == 5 and measured.budget_limited
  assert carry == 1 + timing.WARMUP_CALLS + 5
  # The clock reads 1 s more before each step: 4 s have passed when 4 steps are done.
  measured, _ = timing.time_calls(
    lambda n: n, 0, num_steps=20, min_steps=1, budget_s=3.5, clock=FakeClock(1.0)
  )
  assert len(measured.times_s) == 4


def test_timing_statistics_are_median_min_max_in_ms():
  measured = timing.Timing(first_call_s=2.0, times_s=(0.003, 0.001, 0.1, 0.002), requested=4)
  assert measured.median_ms == pytest.approx(2.5)
  assert measured.min_ms == pytest.approx(1.0) and measured.max_ms == pytest.approx(100.0)
  assert not measured.budget_limited


def test_time_calls_rejects_min_steps_above_num_steps():
  with pytest.raises(ValueError, match="min_steps"):
    timing.time_calls(lambda n: n, 0, num_steps=3, min_steps=5)


def test_measure_ntm_times_the_library_train_step():
  row = timing.measure(tiny_config(ntm_copy), num_steps=5)
  check_row(row, batch_size=2)
  assert row["model"] == "ntm" and row["task"] == "copy"
  assert row["memory"] == "8x4" and row["length"] == 3 and row["time_steps"] == 7
  assert row["backend"] == jax.default_backend() == "cpu"
  assert row["peak_memory_source"] == timing.RSS_PEAK


def test_measure_flax_reference_uses_the_lstm_sizes():
  config = tiny_config(lstm_copy, batch_size=3, model__num_layers=2)
  row = timing.measure(config, reference=programs.FLAX_REFERENCE, num_steps=5)
  check_row(row, batch_size=3)
  assert row["model"] == programs.FLAX_REFERENCE and row["memory"] is None
  hidden, inputs, outputs = 8, 9, 8  # the :smoke LSTM on 8-bit copy
  gates = 4 * hidden  # input kernel (no bias), hidden kernel and bias per gate
  layers = gates * (inputs + hidden + 1) + gates * (hidden + hidden + 1)
  assert row["params"] == layers + hidden * outputs + outputs


@pytest.mark.parametrize(
  "changes, field",
  [({"train__num_seeds": 2}, "train.num_seeds"), ({"task__min_length": 1}, "task.min_length")],
)
def test_measure_rejects_configs_it_cannot_time(changes, field):
  config = ntm_copy.get_config("smoke")
  config.task.curriculum = "uniform"
  config.task.min_length = 3
  config.task.max_length = 3
  for dotted, value in changes.items():
    section, name = dotted.split("__")
    config[section][name] = value
  with pytest.raises(config_lib.ConfigError, match=field):
    timing.measure(config_lib.from_mapping(config))


def test_memory_readings():
  assert timing.rss_high_water_bytes() > 2**20
  assert timing.device_peak_bytes(jax.devices("cpu")[0]) is None


def test_format_table_aligns_columns():
  row = {
    "model": "ntm",
    "batch_size": 16,
    "length": 20,
    "memory": "128x20",
    "remat": False,
    "devices": 2,
    "compile_s": 12.345,
    "step_ms_median": 3.0,
    "step_ms_min": 2.0,
    "step_ms_max": 40.0,
    "timed_steps": 20,
    "train_sequences_per_s": 5333.3,
    "forward_sequences_per_s": 20000.0,
    "peak_memory_bytes": 512 * 2**20,
  }
  lstm = dict(row, model="flax_lstm", memory=None, batch_size=1)
  lines = timing.format_table([row, lstm]).splitlines()
  assert len(lines) == 4
  assert lines[0].split()[:3] == ["model", "B", "len"]
  chex.assert_equal(len({len(line) for line in lines}), 1)  # every line as wide
  assert lines[2].split() == (
    "ntm 16 20 128x20 False 2 12.3 3.00 2.00 40.00 20 5333.3 20000.0 512".split()
  )
  assert lines[3].split()[3] == "-"  # no memory
  assert lines[0].index("B") + 1 == lines[2].index("16") + 2  # numbers right-aligned


def test_measure_plain_ntm_reference_has_the_ntm_sizes():
  config = tiny_config(ntm_copy)
  row = timing.measure(config, reference=programs.PLAIN_NTM_REFERENCE, num_steps=5)
  check_row(row, batch_size=2)
  assert row["model"] == programs.PLAIN_NTM_REFERENCE and row["memory"] == "8x4"
  # The same model as the library's NTM: the same number of parameters.
  assert row["params"] == timing.measure(config, num_steps=5)["params"]


def test_plain_ntm_reference_rejects_what_it_does_not_have():
  with pytest.raises(config_lib.ConfigError, match="model.num_read_heads"):
    timing.measure(
      tiny_config(ntm_copy, model__num_read_heads=2), reference=programs.PLAIN_NTM_REFERENCE
    )
  with pytest.raises(ValueError, match="unknown reference"):
    timing.measure(tiny_config(ntm_copy), reference="torch_ntm")


def _write_trace(path, events):
  with gzip.open(path, "wt") as stream:
    json.dump({"traceEvents": events}, stream)


def test_trace_summary_adds_up_complete_events_by_name(tmp_path):
  trace = tmp_path / "perfetto_trace.json.gz"
  events = [
    {"ph": "X", "name": "compile", "dur": 5000.0, "tid": 1},
    {"ph": "X", "name": "fusion.1", "dur": 300.0, "tid": 2},
    {"ph": "X", "name": "fusion.1", "dur": 200.0, "tid": 3},  # another thread: adds up
    {"ph": "X", "name": "fusion.2", "dur": 100.0},
    {"ph": "M", "name": "thread_name", "args": {"name": "main"}},  # metadata: ignored
    {"ph": "i", "name": "compile", "dur": 9e9},  # instant: ignored
  ]
  _write_trace(trace, events)
  assert timing.trace_summary(trace) == [
    ("compile", 5.0, 1),
    ("fusion.1", 0.5, 2),
    ("fusion.2", 0.1, 1),
  ]
  assert timing.trace_summary(trace, top=1) == [("compile", 5.0, 1)]
  table = timing.format_trace_summary(timing.trace_summary(trace)).splitlines()
  assert table[0].split() == ["total", "ms", "count", "event"]
  assert table[2].split() == ["0.5", "2", "fusion.1"]


@pytest.mark.parametrize(
  "content",
  [b"not gzip", gzip.compress(b'{"events": []}', mtime=0)],
  ids=["not_gzip", "no_trace_events"],
)
def test_trace_summary_names_a_file_that_is_not_a_trace(tmp_path, content):
  trace = tmp_path / "perfetto_trace.json.gz"
  trace.write_bytes(content)
  with pytest.raises(ValueError, match=f"{trace}: not a gzipped JSON trace"):
    timing.trace_summary(trace)
