"""The experiments.benchmark binary: its suites, its configs, and the tiny suite end to end."""

import json
import pathlib

import pytest
from absl import app

from experiments import benchmark
from experiments.benchmarks import language_model, programs, qa, seq2seq, timing, word2vec
from memnets.training import config as config_lib

# Every JSON line has these fields, with these types.
FIELDS = {
  "model": str,
  "task": str,
  "batch_size": int,
  "length": int,
  "time_steps": int,
  "remat": bool,
  "params": int,
  "backend": str,
  "device": str,
  "compile_s": float,
  "step_ms_median": float,
  "step_ms_min": float,
  "step_ms_max": float,
  "timed_steps": int,
  "requested_steps": int,
  "budget_limited": bool,
  "train_sequences_per_s": float,
  "forward_compile_s": float,
  "forward_ms_median": float,
  "forward_sequences_per_s": float,
  "peak_memory_bytes": int,
  "peak_memory_source": str,
  "rss_increase_bytes": int,
  "compilation_cache": bool,
  "profile_trace": str,  # the tiny suite runs with --profile_dir
}


@pytest.fixture
def run_benchmark(binaries):
  return lambda *flags, **env: binaries.run("experiments.benchmark", *flags, **env)


def test_standard_suite_is_the_paper_copy_setting():
  cases = benchmark.suite_cases("standard")
  copy = [c for c in cases if c.task == "copy"]
  assert [c.batch_size for c in copy if c.model == "ntm"] == [1, 16, 64, 256]
  assert [c.batch_size for c in copy if c.model == "dnc"] == [16, 64]
  chomsky = {"rnn", "stack_rnn", "tape_rnn", "ndstack_rnn", "neural_stack", "transformer"}
  assert {c.model for c in cases} == {
    "ntm",
    "dnc",
    "lstm",
    programs.FLAX_REFERENCE,
    programs.PLAIN_NTM_REFERENCE,
    *chomsky,
    "neural_gpu",
    *benchmark.BABI_BATCH_SIZES,
    "gru",
    "skipgram",
    "cbow",
    "bidirectional",
    "attention",
    "plain",
  }
  (gpu,) = [c for c in cases if c.model == "neural_gpu"]
  assert (gpu.task, gpu.batch_size, gpu.length) == ("neural_gpu_addition", 32, 20)
  gpu_config = benchmark.case_config(gpu)
  assert gpu_config.task.curriculum == "fixed" and gpu_config.model.kwargs["features"] == 24
  babi = [c for c in cases if c.task == "babi"]
  assert [(c.model, c.batch_size) for c in babi] == [
    ("memn2n", 32), ("dmn_plus", 128), ("ntm", 32), ("dnc", 32),
  ]  # fmt: skip
  lm = [(c.model, c.batch_size) for c in cases if c.task == "language_model"]
  assert lm == [("lstm", 32), ("gru", 32), ("rnn", 32)]
  w2v = [(c.model, c.batch_size) for c in cases if c.task == "word2vec"]
  assert w2v == [("skipgram", 1024), ("cbow", 1024)]
  digits = [(c.model, c.batch_size) for c in cases if c.task == "digits"]
  assert digits == [("lstm", 64), ("bidirectional", 64)]
  s2s = [(c.model, c.batch_size) for c in cases if c.task == "seq2seq"]
  assert s2s == [("attention", 32), ("plain", 32)]
  cases = [c for c in cases if c.task in ("copy", "reverse_string")]
  assert len(cases) == 30 and all(c.length == 20 and not c.remat for c in cases)
  for case in (c for c in cases if c.model in chomsky):
    assert case.task == "reverse_string" and case.batch_size in (16, 128)
    config = benchmark.case_config(case)
    assert config.model.name == case.model and config.task.name == "reverse_string"
    assert config.task.min_length == config.task.max_length == 20
  ntm = benchmark.case_config(cases[0])
  assert ntm.model.kwargs["controller"] == "lstm" and ntm.model.kwargs["controller_size"] == 100
  assert (ntm.model.kwargs["memory_size"], ntm.model.kwargs["word_size"]) == (128, 20)
  assert ntm.model.kwargs["num_read_heads"] == ntm.model.kwargs["num_write_heads"] == 1
  assert ntm.model.kwargs["shift_width"] == 3
  assert (ntm.task.name, ntm.task.kwargs["bits"]) == ("copy", 8)
  assert ntm.task.min_length == ntm.task.max_length == 20 and ntm.train.num_seeds == 1
  lstm = benchmark.case_config([c for c in cases if c.model not in chomsky][-1])
  assert lstm.model.name == "lstm" and lstm.train.batch_size == 256
  assert (lstm.model.kwargs["hidden_size"], lstm.model.kwargs["num_layers"]) == (256, 3)


def test_scaling_suite_varies_one_axis_with_remat_for_long_sequences():
  cases = benchmark.suite_cases("scaling")
  dnc = [c for c in cases if c.model == "dnc"]
  cases = [c for c in cases if c.model == "ntm"]
  assert len(cases) == len(set(cases)) == 10  # 4 + 4 + 4 minus the base case twice
  assert sorted({c.length for c in cases}) == [20, 100, 500, 1000]
  assert sorted({c.memory_size for c in cases}) == [128, 512, 1024, 4096]
  assert [(c.memory_size, c.remat, c.sparse_link) for c in dnc] == [
    (128, False, 0),
    (256, False, 0),
    (512, True, 0),
    (1024, True, 0),
    *[(n, False, 8) for n in (128, 256, 512, 1024, 4096)],
  ]
  sparse = benchmark.case_config(dnc[-1])
  assert (sparse.model.kwargs["memory_size"], sparse.model.kwargs["sparse_link"]) == (4096, 8)
  assert sorted({c.batch_size for c in cases}) == [1, 16, 256, 4096]
  assert all(c.remat == (c.length >= benchmark.REMAT_MIN_LENGTH) for c in cases)
  big = benchmark.case_config(benchmark.Case("ntm", memory_size=4096, remat=True))
  assert big.model.kwargs["memory_size"] == 4096 and big.train.remat


def test_memory_size_of_a_memoryless_model_is_an_error():
  with pytest.raises(config_lib.ConfigError, match="memory_size"):
    benchmark.case_config(benchmark.Case("lstm", memory_size=64))
  with pytest.raises(config_lib.ConfigError, match="model.sparse_link: ntm has no link"):
    benchmark.case_config(benchmark.Case("ntm", sparse_link=8))


def test_tiny_suite_end_to_end(tmp_path, run_benchmark):
  output = tmp_path / "bench.jsonl"
  cache = tmp_path / "cache"
  profiles = tmp_path / "profiles"
  # A cache set in the environment is not used: compile_s stays a cold compile.
  result = run_benchmark(
    "--suite=tiny",
    "--steps=5",
    f"--output={output}",
    f"--profile_dir={profiles}",
    JAX_COMPILATION_CACHE_DIR=str(cache),
    JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0",
  )
  assert result.returncode == 0, result.stderr[-3000:]
  assert not cache.exists() or not any(cache.iterdir())
  lines = [line for line in result.stdout.splitlines() if line.strip()]
  rows = [json.loads(line) for line in lines[:3]]
  assert [json.loads(line) for line in output.read_text().splitlines()] == rows
  assert [row["model"] for row in rows] == ["ntm", "dnc", "lstm"]
  for row in rows:
    for field, kind in FIELDS.items():
      assert isinstance(row[field], kind), field
    assert row["step_ms_min"] <= row["step_ms_median"] <= row["step_ms_max"]
    assert row["timed_steps"] == row["requested_steps"] == 5  # tiny steps: no budget cut
    assert row["train_sequences_per_s"] == pytest.approx(
      row["batch_size"] / row["step_ms_median"] * 1e3
    )
    assert row["compile_s"] > 0 and row["peak_memory_bytes"] > 0
  assert rows[0]["memory"] == rows[1]["memory"] == "8x4" and rows[2]["memory"] is None
  table = lines[3:]  # the summary: header, rule, one line per case
  assert table[0].split()[:3] == ["model", "B", "len"] and set(table[1]) <= {"-", " "}
  assert [line.split()[0] for line in table[2:]] == ["ntm", "dnc", "lstm"]
  # Each case's trace lies in its own directory, its top events beside it and on stderr.
  labels = [benchmark.case_label(i, case) for i, case in enumerate(benchmark.suite_cases("tiny"))]
  assert sorted(path.name for path in profiles.iterdir()) == labels
  for index, (row, label) in enumerate(zip(rows, labels, strict=True)):
    trace = pathlib.Path(row["profile_trace"])
    assert trace.is_file() and (profiles / label) in trace.parents
    top_events = (trace.parent / benchmark.TOP_EVENTS_FILE).read_text()
    assert top_events.splitlines()[0].split() == ["total", "ms", "count", "event"]
    assert f"profile of case {index + 1} ({label}): {trace}" in result.stderr
    assert top_events in result.stderr
    # The trace holds the train step's compilation (JAX's and XLA's phases) and steps.
    events = {name: ms for name, ms, _ in timing.trace_summary(trace, top=10**6)}
    assert 0 < events["backend_compile_and_load"] <= row["compile_s"] * 1e3
    assert "CpuCompiler::RunBackend" in events and "ThunkExecutor::Execute" in events


def test_a_second_run_loads_the_programs_the_first_stored(tmp_path, run_benchmark):
  cache = tmp_path / "cache"
  case = (
    "--model=lstm",
    "--batch_size=2",
    "--length=3",
    "--steps=5",
    f"--compilation_cache={cache}",
  )
  env = {"JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0"}
  stored = []
  for _ in range(2):
    result = run_benchmark(*case, **env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout.splitlines()[0])["compilation_cache"] is True
    stored.append(sorted(path.name for path in cache.iterdir()))
  # The train step and the forward pass were stored, then found: nothing new.
  assert len(stored[0]) >= 2 and stored[1] == stored[0]


def test_case_labels_name_the_case_and_keep_cases_apart():
  cases = benchmark.suite_cases("scaling")
  labels = [benchmark.case_label(i, case) for i, case in enumerate(cases)]
  assert len(set(labels)) == len(labels)
  assert labels[0] == "01_ntm_copy_b16_l20_m128"
  assert benchmark.case_label(9, benchmark.Case("lstm", batch_size=64)) == "10_lstm_copy_b64_l20"
  assert labels[-1].endswith("_dnc_copy_b16_l20_m4096_k8")


def test_profile_dir_must_be_a_directory(tmp_path):
  benchmark.check_profile_dir(None)
  benchmark.check_profile_dir(str(tmp_path))  # existing directory
  benchmark.check_profile_dir(str(tmp_path / "new"))  # created by the profiler
  afile = tmp_path / "notes.txt"
  afile.write_text("keep")
  with pytest.raises(app.UsageError, match=f"--profile_dir={afile}: exists and is not a directory"):
    benchmark.check_profile_dir(str(afile))
  assert afile.read_text() == "keep"


def test_suite_and_case_flags_do_not_mix(run_benchmark):
  result = run_benchmark("--suite=tiny", "--model=lstm")
  assert result.returncode != 0 and "--suite" in result.stderr


def test_a_language_model_case_times_the_runners_own_windows():
  row = language_model.measure("gru", 2, tiny=True, num_steps=5, budget_s=0.5)
  for field, kind in FIELDS.items():
    if field not in ("compilation_cache", "profile_trace"):
      assert isinstance(row[field], kind), field
  assert row["model"] == "lm gru" and row["timed_steps"] == 5 * language_model.STEPS_PER_CALL
  assert row["train_tokens_per_s"] == pytest.approx(row["train_sequences_per_s"] * row["length"])
  assert "lm gru" in timing.format_table([row])


def test_an_encoder_decoder_case_times_a_step_and_greedy_decoding():
  row = seq2seq.measure("plain", 2, tiny=True, num_steps=5, budget_s=0.5)
  assert row["model"] == "encoder-decoder, plain" and row["timed_steps"] == 5
  assert row["forward_ms_median"] > 0 and row["params"] > 0
  with pytest.raises(ValueError, match="unknown encoder-decoder"):
    seq2seq.measure("ntm", 2, tiny=True)


def test_a_word2vec_case_times_the_runners_own_sgd_steps():
  row = word2vec.measure("cbow", 16, tiny=True, num_steps=5, budget_s=0.5)
  assert row["model"] == "word2vec cbow" and row["task"] == "word2vec"
  assert row["step_ms_min"] <= row["step_ms_median"] <= row["step_ms_max"]
  assert row["train_words_per_s"] == pytest.approx(16 / (row["step_ms_median"] / 1000))


def test_a_babi_case_times_the_epoch_loops_own_step():
  row = qa.measure("memn2n", 2, tiny=True, num_steps=5, budget_s=0.5)
  for field, kind in FIELDS.items():
    if field not in ("compilation_cache", "profile_trace", "time_steps", "memory"):
      assert isinstance(row[field], kind), field
  assert row["model"] == "memn2n (bAbI)" and row["timed_steps"] == 5 and row["params"] > 0
  assert row["time_steps"] is None and row["memory"] is None  # no word-by-word sequence
  assert row["step_ms_min"] <= row["step_ms_median"] <= row["step_ms_max"]
  assert "memn2n (bAbI)" in timing.format_table([row])
