"""Speed benchmark of memnets' training step and forward pass: the benchmark binary.

  python -m experiments.benchmark                      # the standard suite
  python -m experiments.benchmark --suite=scaling      # length, memory and batch scaling
  python -m experiments.benchmark --suite=tiny         # seconds; what CI runs
  python -m experiments.benchmark --model=ntm --batch_size=64 --memory_size=512 --steps=50
  python -m experiments.benchmark --output=/tmp/bench.jsonl
  python -m experiments.benchmark --model=ntm --compilation_cache=/tmp/xla  # twice: cached compile
  python -m experiments.benchmark --model=ntm --batch_size=32 --profile_dir=/tmp/profile

Every case builds its run from the paper configs (`experiments/configs/ntm_copy.py`,
`dnc_copy.py`, `lstm_copy.py`, `*_chomsky.py`) at one fixed length and times the library's own compiled train
step (`experiments.benchmarks.timing.measure`). Each case prints one JSON line as soon as
it is done (and appends it to --output); a summary table follows at the end.

Suites (Graves, Wayne & Danihelka 2014, §4.1, copy task of 8-bit vectors):
- standard: the copy NTM (100-unit LSTM controller, 128 × 20 memory, 1 read and
  1 write head, shifts -1..1) at length 20 (41 time steps), batch 1, 16, 64,
  256; the same NTM written straightforwardly (`plain_ntm`:
  `experiments.benchmarks.plain_ntm`, one scan of plain `jnp`, automatic gradients); the
  paper's LSTM baseline (3 × 256) through our cells and `unroll`; and Flax's
  own `nnx.RNN` stack of `OptimizedLSTMCell`s at the same shapes; the DNC of
  `dnc_copy` (the NTM's controller and 128 × 20 memory, one read head) at
  batch 16 and 64; and the Chomsky-hierarchy models (`rnn`, `stack_rnn`,
  `tape_rnn`, `ndstack_rnn`, `neural_stack`, `transformer`, from their `*_chomsky` configs)
  on reverse_string at length 20 (40 time steps), batch 16 and 128; the
  Neural GPU of `neural_gpu_addition` on 20-bit additions (a tape of 41
  symbols, run for 41 steps) at batch 32; and the bAbI models
  (`experiments.benchmarks.qa`: the epoch loop's own step on bAbI-shaped
  arrays, from the `*_babi` configs) at their configs' batch: MemN2N 32,
  DMN+ 128, the NTM and DNC readers 32; the language model of `lm_grammar`
  (`experiments.benchmarks.language_model`: the runner's own chunk of
  windows, over an 8,000-word vocabulary) with an RNN, LSTM and GRU at batch 32;
  word2vec's skip-gram and CBOW (`experiments.benchmarks.word2vec`: chunks of
  SGD steps on a Zipfian corpus of 10,000 words) at 1,024 centre words; the
  digits classifiers of `digits_rows` (a row LSTM and the bidirectional one,
  8 rows of 8 pixels) at batch 64; the encoder-decoder of `attention_reverse`
  (`experiments.benchmarks.seq2seq`: a teacher-forced step and greedy
  decoding, reverse_string at 20 symbols) with and without attention at batch 32.
- scaling: the copy NTM at batch 16, length 20, 128 slots, varying one axis at
  a time: length 20 → 1000, memory slots 128 → 4096, batch 1 → 4096;
  rematerialisation (`train.remat`) from length REMAT_MIN_LENGTH on; and the
  DNC at batch 16, length 20 with 128 → 1024 slots (its N × N link matrix),
  rematerialised from DNC_REMAT_MIN_MEMORY slots on; and the same DNC with the
  sparse link (`model.sparse_link`, DNC_SPARSE_LINK_K entries per row) at
  128 → 4096 slots.
- tiny: the `:smoke` NTM, DNC and LSTM at batch 2, length 3.

Any of --model, --task, --batch_size, --length, --memory_size runs that one case
instead of a suite (unset ones as in the standard NTM case).

compile_s is a cold compile: the benchmark turns JAX's persistent compilation
cache off (the other binaries keep one, see `experiments.platform`) unless
--compilation_cache names its directory; a second run with the same directory
then times loading the stored programs instead. Every row says which
(`compilation_cache`).

--profile_dir traces each case's training-step calls (its compilation, the
warm-up and the timed steps) with `jax.profiler` into DIR/<case>/ (a Perfetto
trace: open it in ui.perfetto.dev), and prints the 25 event names with the most
total time to stderr, also kept beside the trace as top_events.txt: XLA's
compilation phases (HLO passes, kernel emission, LLVM code generation) and the
step's kernels. A traced case's step times include the profiler's overhead.
"""

import json
import pathlib
import sys
from typing import NamedTuple

import jax
import ml_collections
from absl import app, flags, logging

from experiments import cli, configs, platform
from experiments.benchmarks import digits, language_model, programs, qa, seq2seq, timing, word2vec
from experiments.configs import (
  dnc_copy,
  lstm_copy,
  ndstack_rnn_chomsky,
  neural_gpu_addition,
  neural_stack_chomsky,
  ntm_copy,
  rnn_chomsky,
  stack_rnn_chomsky,
  tape_rnn_chomsky,
  transformer_chomsky,
)
from memnets.training import config as config_lib

# The Chomsky-hierarchy models, measured on CHOMSKY_TASK with their Chomsky configs.
CHOMSKY_CONFIGS = {
  "rnn": rnn_chomsky,
  "stack_rnn": stack_rnn_chomsky,
  "tape_rnn": tape_rnn_chomsky,
  "ndstack_rnn": ndstack_rnn_chomsky,
  "neural_stack": neural_stack_chomsky,
  "transformer": transformer_chomsky,
}
CHOMSKY_TASK = "reverse_string"  # deterministic context-free: L input and L output steps
NEURAL_GPU = "neural_gpu"  # the model's name in memnets.models
NEURAL_GPU_TASK = "neural_gpu_addition"  # 20-bit operands: a tape of 41 symbols
NEURAL_GPU_BATCH_SIZE = 32  # the paper's code's
CHOMSKY_BATCH_SIZES = (16, 128)  # 128: the Chomsky paper's batch
BABI_TASK = "babi"  # a Case of this task times a bAbI model (experiments.benchmarks.qa)
BABI_BATCH_SIZES = {"memn2n": 32, "dmn_plus": 128, "ntm": 32, "dnc": 32}  # their configs' batch
LM_TASK = "language_model"  # a Case of this task times the language model (.language_model)
WORD2VEC_TASK = "word2vec"  # ... word2vec's SGD steps (.word2vec; models: skipgram, cbow)
DIGITS_TASK = "digits"  # ... the digits classifiers of digits_rows (.digits)
SEQ2SEQ_TASK = "seq2seq"  # ... the encoder-decoder with and without attention (.seq2seq)


# The cases timed by their own module's `measure` (the runner-trained models, and the digits
# classifiers at their config's sizes): task → (its measure, {model: batch of the standard suite}).
RUNNER_CASES = {
  BABI_TASK: (qa.measure, BABI_BATCH_SIZES),
  LM_TASK: (language_model.measure, {"lstm": 32, "gru": 32, "rnn": 32}),
  WORD2VEC_TASK: (word2vec.measure, {"skipgram": 1024, "cbow": 1024}),
  DIGITS_TASK: (digits.measure_model, {"lstm": 64, "bidirectional": 64}),
  SEQ2SEQ_TASK: (seq2seq.measure, {"attention": 32, "plain": 32}),
}
MODELS = (
  "ntm",
  programs.PLAIN_NTM_REFERENCE,
  "dnc",
  "lstm",
  programs.FLAX_REFERENCE,
  *CHOMSKY_CONFIGS,
  NEURAL_GPU,
)
NTM_MODELS = ("ntm", programs.PLAIN_NTM_REFERENCE)  # built from the ntm_copy config
MEMORY_MODELS = (*NTM_MODELS, "dnc")  # models with memory slots (--memory_size)
SUITES = ("standard", "scaling", "tiny")
STANDARD_BATCH_SIZES = (1, 16, 64, 256)
DNC_BATCH_SIZES = (16, 64)  # the DNC's standard cases
STANDARD_LENGTH = 20  # copy length 20: 2 * 20 + 1 = 41 time steps
STANDARD_BATCH_SIZE = 16  # the scaling suite's and a single case's default batch
STANDARD_MEMORY_SIZE = 128  # memory slots N of the paper's copy NTM
SCALING_LENGTHS = (20, 100, 500, 1000)
SCALING_MEMORY_SIZES = (128, 512, 1024, 4096)
SCALING_BATCH_SIZES = (1, 16, 256, 4096)
DNC_SCALING_MEMORY_SIZES = (128, 256, 512, 1024)  # its N x N link: time and memory grow as N^2
DNC_SPARSE_SCALING_MEMORY_SIZES = (128, 256, 512, 1024, 4096)
DNC_SPARSE_LINK_K = 8  # entries per row of the sparse link's scaling cases
DNC_REMAT_MIN_MEMORY = 512  # rematerialise the DNC's scan body from this many slots on
REMAT_MIN_LENGTH = 500  # rematerialise the scan body from this length on
TINY_BATCH_SIZE = 2
TINY_LENGTH = 3

_MODEL = flags.DEFINE_enum("model", None, MODELS, "Model of a single case.")
_TASK = flags.DEFINE_string("task", None, "Task of a single case (a memnets.tasks name).")
_BATCH_SIZE = flags.DEFINE_integer("batch_size", None, "Batch size of a single case.", 1)
_LENGTH = flags.DEFINE_integer("length", None, "Sequence length of a single case.", 1)
_MEMORY_SIZE = flags.DEFINE_integer("memory_size", None, "Memory slots N of a single case.", 1)
_SPARSE_LINK = flags.DEFINE_integer(
  "sparse_link", None, "The DNC's sparse link: entries per row (a single case).", 1
)
_STEPS = flags.DEFINE_integer(
  "steps",
  timing.DEFAULT_TIMED_STEPS,
  "Timed steps per case (fewer, but at least the minimum, when the budget runs out).",
  lower_bound=timing.MIN_TIMED_STEPS,
)
_BUDGET_S = flags.DEFINE_float(
  "budget_s", timing.DEFAULT_BUDGET_S, "Seconds of timed steps per measurement.", 0.0
)
_SUITE = flags.DEFINE_enum("suite", "standard", SUITES, "Suite run when no case flag is set.")
_OUTPUT = flags.DEFINE_string("output", None, "Also write the JSON lines to this file.")
_PROFILE_DIR = flags.DEFINE_string(
  "profile_dir",
  None,
  "Trace each case's train step (compilation included) with jax.profiler into DIR/<case>/.",
)
_COMPILATION_CACHE = cli.define_compilation_cache_flag()
TOP_EVENTS_FILE = "top_events.txt"  # trace_summary's table, beside each trace


class Case(NamedTuple):
  model: str  # one of MODELS
  task: str = "copy"
  batch_size: int = STANDARD_BATCH_SIZE
  length: int = STANDARD_LENGTH
  memory_size: int | None = None  # NTM slots; None: the config's
  remat: bool = False
  sparse_link: int = 0  # the DNC's sparse link, entries per row; 0: dense
  tiny: bool = False  # the configs' `:smoke` model sizes


def suite_cases(suite: str) -> list[Case]:
  """The cases of a named suite, in running order."""
  if suite == "tiny":
    tiny = ("ntm", "dnc", "lstm")
    return [Case(m, batch_size=TINY_BATCH_SIZE, length=TINY_LENGTH, tiny=True) for m in tiny]
  if suite == "standard":
    copy_models = [m for m in MODELS if m not in CHOMSKY_CONFIGS and m != NEURAL_GPU]
    cases = [
      Case(m, batch_size=b)
      for m in copy_models
      for b in (DNC_BATCH_SIZES if m == "dnc" else STANDARD_BATCH_SIZES)
    ]
    cases += [
      Case(m, task=CHOMSKY_TASK, batch_size=b) for m in CHOMSKY_CONFIGS for b in CHOMSKY_BATCH_SIZES
    ]
    cases.append(Case(NEURAL_GPU, task=NEURAL_GPU_TASK, batch_size=NEURAL_GPU_BATCH_SIZE))
    for task, (_, batches) in RUNNER_CASES.items():
      cases += [Case(m, task=task, batch_size=b) for m, b in batches.items()]
    return cases
  if suite != "scaling":
    raise ValueError(f"unknown suite {suite!r}; known: {SUITES}")
  base = Case("ntm", memory_size=STANDARD_MEMORY_SIZE)
  cases = [base._replace(length=n, remat=n >= REMAT_MIN_LENGTH) for n in SCALING_LENGTHS]
  cases += [base._replace(memory_size=n) for n in SCALING_MEMORY_SIZES]
  cases += [base._replace(batch_size=b) for b in SCALING_BATCH_SIZES]
  cases += [
    Case("dnc", memory_size=n, remat=n >= DNC_REMAT_MIN_MEMORY) for n in DNC_SCALING_MEMORY_SIZES
  ]
  cases += [
    Case("dnc", memory_size=n, sparse_link=DNC_SPARSE_LINK_K)
    for n in DNC_SPARSE_SCALING_MEMORY_SIZES
  ]
  return list(dict.fromkeys(cases))  # the base case once


def case_config(case: Case) -> config_lib.Config:
  """The training config of `case`: its paper config at one fixed length and one seed."""
  if case.model in CHOMSKY_CONFIGS:
    module = CHOMSKY_CONFIGS[case.model]
  elif case.model == NEURAL_GPU:
    module = neural_gpu_addition
  elif case.model in NTM_MODELS:
    module = ntm_copy
  else:
    module = dnc_copy if case.model == "dnc" else lstm_copy
  config = module.get_config(configs.SMOKE if case.tiny else None)
  if case.task != config.task.name:
    config.task.name = case.task
    config.task.kwargs = ml_collections.ConfigDict()  # the task's own defaults
  config.task.curriculum = "fixed"
  config.task.curriculum_kwargs = ml_collections.ConfigDict()
  config.task.min_length = case.length
  config.task.max_length = case.length
  config.task.eval_lengths = (case.length,)
  config.train.batch_size = case.batch_size
  config.num_seeds = 1
  config.train.remat = case.remat
  if case.memory_size is not None:
    if case.model not in MEMORY_MODELS:
      raise config_lib.ConfigError(f"model.memory_size: {case.model} has no memory slots")
    config.model.memory_size = case.memory_size
  if case.sparse_link:
    if case.model != "dnc":
      raise config_lib.ConfigError(f"model.sparse_link: {case.model} has no link matrix")
    config.model.sparse_link = case.sparse_link
  return config_lib.from_mapping(config)


def case_label(index: int, case: Case) -> str:
  """A case's directory name under --profile_dir: running number, model and shapes."""
  label = f"{index + 1:02d}_{case.model}_{case.task}_b{case.batch_size}_l{case.length}"
  label += f"_m{case.memory_size}" if case.memory_size is not None else ""
  return label + (f"_k{case.sparse_link}" if case.sparse_link else "")


def check_profile_dir(path: str | None) -> None:
  """Raises app.UsageError if --profile_dir names something other than a directory."""
  if path is not None and pathlib.Path(path).exists() and not pathlib.Path(path).is_dir():
    raise app.UsageError(f"--profile_dir={path}: exists and is not a directory")


def report_profile(row: dict, title: str) -> None:
  """Prints the top events of `row`'s trace to stderr and writes them beside the trace."""
  trace = pathlib.Path(row["profile_trace"])
  table = timing.format_trace_summary(timing.trace_summary(trace))
  (trace.parent / TOP_EVENTS_FILE).write_text(table + "\n")
  print(f"profile of {title}: {trace}\n{table}", file=sys.stderr, flush=True)


def selected_cases() -> list[Case]:
  """One case from the case flags if any is set, else the --suite's cases."""
  case_flags = (_MODEL, _TASK, _BATCH_SIZE, _LENGTH, _MEMORY_SIZE, _SPARSE_LINK)
  if all(flag.value is None for flag in case_flags):
    return suite_cases(_SUITE.value)
  if flags.FLAGS["suite"].present:
    raise app.UsageError("--suite cannot be combined with the single-case flags")
  length = _LENGTH.value or STANDARD_LENGTH
  return [
    Case(
      model=_MODEL.value or "ntm",
      task=_TASK.value or (CHOMSKY_TASK if _MODEL.value in CHOMSKY_CONFIGS else "copy"),
      batch_size=_BATCH_SIZE.value or STANDARD_BATCH_SIZE,
      length=length,
      memory_size=_MEMORY_SIZE.value,
      remat=length >= REMAT_MIN_LENGTH
      or (
        _MODEL.value == "dnc"
        and not _SPARSE_LINK.value
        and (_MEMORY_SIZE.value or 0) >= DNC_REMAT_MIN_MEMORY
      ),
      sparse_link=_SPARSE_LINK.value or 0,
    )
  ]


def run_cases(cases: list[Case], output) -> list[dict]:
  """Measures each case, printing (and writing to `output`) its JSON line when done."""
  rows = []
  for index, case in enumerate(cases):
    logging.info("case %d/%d: %s", index + 1, len(cases), case)
    profile_dir = None
    if _PROFILE_DIR.value is not None:
      profile_dir = pathlib.Path(_PROFILE_DIR.value) / case_label(index, case)
    if case.task in RUNNER_CASES:  # not traced by --profile_dir
      measure, _ = RUNNER_CASES[case.task]
      row = measure(case.model, case.batch_size, tiny=case.tiny, num_steps=_STEPS.value,
                           budget_s=_BUDGET_S.value)  # fmt: skip
    else:
      row = timing.measure(
        case_config(case),
        reference=case.model if case.model in programs.REFERENCES else None,
        num_steps=_STEPS.value,
        budget_s=_BUDGET_S.value,
        profile_dir=profile_dir,
      )
    row["compilation_cache"] = _COMPILATION_CACHE.value is not None
    line = json.dumps(row)
    print(line, flush=True)
    if output is not None:
      output.write(line + "\n")
      output.flush()
    if profile_dir is not None:
      report_profile(row, f"case {index + 1} ({profile_dir.name})")
    rows.append(row)
  return rows


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  platform.setup(compilation_cache=False)
  check_profile_dir(_PROFILE_DIR.value)
  cli.set_compilation_cache(_COMPILATION_CACHE.value)
  logging.info("JAX %s on %s", jax.__version__, jax.devices())
  output = open(_OUTPUT.value, "w") if _OUTPUT.value else None
  try:
    rows = run_cases(selected_cases(), output)
  except config_lib.ConfigError as error:
    sys.exit(f"error: {error}")
  finally:
    if output is not None:
      output.close()
  print("\n" + timing.format_table(rows), flush=True)


if __name__ == "__main__":
  app.run(main)
