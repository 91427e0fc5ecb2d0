"""The rows of the reproduction table: a paper result and the protocol that measures it.

Each `Row` names a config file of experiments/configs with overrides, how
long to train and how many seeds, what to evaluate, and the published number
with its statistic (a single run, best-of-N or a mean). `python -m
experiments.reproduce ROW` runs one; docs/results.md shows them all.
"""

import dataclasses
from typing import Any

import jax

from experiments import babi_table, chomsky_table, sequence_table, transduction_table
from experiments.row import Row
from memnets.tasks import ngrams

NTM_PAPER = "Graves et al. 2014 (NTM)"
DNC_PAPER = "Graves et al. 2016 (DNC)"


def _lstm(hidden_size: int, learning_rate: float) -> dict[str, Any]:
  """Overrides for the paper's LSTM baseline (Table 3: three layers) on an NTM task config."""
  return {
    "model": {"name": "lstm", "hidden_size": hidden_size, "num_layers": 3},
    "optimizer.learning_rate": learning_rate,
  }


def _optimal_ngram_cost(config) -> float:
  """Mean cost per sequence of the Bayes-optimal predictor (1,000 sequences, fixed key)."""
  key = jax.random.key(0)
  return float(ngrams.expected_optimal_cost_bits(key, 1000, config.task.max_length))


# The NTM configs keep the paper's RMSProp; these rows train with the copy
# row's Adam at 1e-3 (faster in our runs), for the CPU budget of a row.
_NTM_ADAM = {"optimizer.name": "adam", "optimizer.learning_rate": 1e-3}
_SHORT = "trained far shorter than the paper's ~1M sequences (CPU budget)"


# The fields an NTM row and its LSTM baseline share, per task. The paper does
# not say how many runs a curve is, so its statistic is "one run's learning curve".
_ONE_RUN = "one run's learning curve"
_SHORT_RUN = dict(published_statistic=_ONE_RUN, seeds=3, steps=3000, note=_SHORT)
_REPEAT_COPY = dict(
  paper=NTM_PAPER + " §4.2, Figs. 7–8",
  config="ntm_repeat_copy",
  metric_description="wrong bits per sequence, lengths 1–10, repeats 1–10",
  sweep_lengths=(5, 10, 15, 20),
  **_SHORT_RUN,
)
_RECALL = dict(
  paper=NTM_PAPER + " §4.3, Figs. 10–11",
  config="ntm_associative_recall",
  metric_description="wrong bits per query answer, 2–6 items",
  sweep_lengths=(6, 8, 10, 12, 15, 20),
  **_SHORT_RUN,
)
_NGRAMS = dict(
  paper=NTM_PAPER + " §4.4, Fig. 13",
  config="ntm_ngrams",
  metric="cost_bits",
  metric_description="cost in bits per 200-bit sequence",
  sweep_lengths=(200,),
  sweep_metric="cost_bits",
  reference=("optimal estimator", _optimal_ngram_cost),
  **_SHORT_RUN,
)
_SORT = dict(
  paper=NTM_PAPER + " §4.5, Figs. 16–18",
  config="ntm_priority_sort",
  metric_description="wrong bits per sorted sequence of 16",
  sweep_lengths=(20,),
  eval_every=500,
  **(_SHORT_RUN | {"seeds": 2, "steps": 2000}),
)
_COPY = dict(
  paper=NTM_PAPER + " §4.1, Figs. 3–4",
  published_statistic=_ONE_RUN,
  metric_description="wrong bits per sequence, lengths 1–20",
  solved_below=0.01,
  solve_within=3000,
  relapse_above=0.1,
)

# The DNC on the NTM paper's tasks: no DNC number is published for them, so
# the comparison is the NTM's row on the same task, protocol and sizes.
_NO_DNC_NUMBER = "no published DNC number; compare the NTM's row"
_DNC_BUDGET = "the DNC's step costs ~10x the NTM's here; fewer seeds and steps (CPU budget)"

ROWS: dict[str, Row] = {
  row.name: row
  for row in [
    Row(
      name="ntm_copy",
      setting="copy, NTM, LSTM controller (100), memory 128 × 20, lengths 1–20, batch 32",
      published="cost per sequence near 0 after ~200k sequences; few errors up to length 120",
      config="ntm_copy",
      **_COPY,
    ),
    Row(
      name="ntm_ff_copy",
      setting="copy, NTM, feed-forward controller (100), memory 128 × 20, lengths 1–20, batch 32",
      published="cost per sequence near 0 after ~200k sequences; generalises to longer lengths",
      config="ntm_copy",
      overrides={"model.controller": "feedforward"},
      **_COPY,
    ),
    Row(
      name="dnc_copy",
      setting="copy, DNC, LSTM controller (100), memory 128 × 20, 1 read head, lengths 1–20, "
      "batch 32 (the ntm_copy protocol but Adam ε 1e-8)",
      published=_NO_DNC_NUMBER,
      config="dnc_copy",
      **(_COPY | {"paper": DNC_PAPER + "; task: NTM §4.1", "published_statistic": "–"}),
      seeds=3,
      steps=2000,
      note=_DNC_BUDGET,
    ),
    Row(
      name="dnc_repeat_copy",
      paper=DNC_PAPER + ", deepmind/dnc train.py",
      setting="repeat copy (deepmind/dnc layout), DNC (LSTM 64), memory 16 × 16, 4 reads, "
      "4-bit vectors, lengths 1–2, repeats 1–2, batch 16",
      published="no number published (the script logs the training cost)",
      published_statistic="–",
      config="dnc_repeat_copy",
      metric_description="wrong bits per sequence, lengths 1–2, repeats 1–2",
      sweep_lengths=(1, 2, 3, 4, 6, 8),
      seeds=3,
      steps=60_000,
      eval_every=1000,
      note="60,000 of the script's 100,000 iterations (CPU budget)",
    ),
    Row(
      name="lstm_copy",
      setting="copy, LSTM 3 × 256, lengths 1–20, batch 32",
      published="learns far more slowly than the NTM; fails beyond length 20",
      config="lstm_copy",
      **_COPY,
    ),
    Row(
      name="ntm_repeat_copy",
      setting="repeat copy, NTM (LSTM 100), lengths 1–10, repeats 1–10",
      published="solved, much faster than LSTM; generalises to longer sequences, "
      "loses count beyond ~11 repeats",
      overrides=_NTM_ADAM,
      **_REPEAT_COPY,
    ),
    Row(
      name="lstm_repeat_copy",
      setting="repeat copy, LSTM 3 × 512, lengths 1–10, repeats 1–10",
      published="solved, more slowly than the NTM; fails on longer sequences",
      overrides=_lstm(512, 3e-5),
      # 3 x 512 runs ~0.5 steps/s for two seeds on the 2-core CPU.
      **(_REPEAT_COPY | {"seeds": 2, "steps": 1000}),
    ),
    Row(
      name="ntm_associative_recall",
      setting="associative recall, NTM (LSTM 100), 2–6 items of 3 × 6 bits",
      published="near-zero cost within ~30k episodes; nearly perfect up to 12 items "
      "(feed-forward controller)",
      overrides=_NTM_ADAM,
      **_RECALL,
    ),
    Row(
      name="dnc_associative_recall",
      setting="associative recall, DNC (LSTM 100), memory 128 × 20, 1 read head, "
      "2–6 items of 3 × 6 bits",
      published=_NO_DNC_NUMBER,
      overrides=_NTM_ADAM,
      **(
        _RECALL
        | {"paper": DNC_PAPER + "; task: NTM §4.3", "published_statistic": "–"}
        | {"config": "dnc_associative_recall", "seeds": 2, "steps": 2000, "note": _DNC_BUDGET}
      ),
    ),
    Row(
      name="lstm_associative_recall",
      setting="associative recall, LSTM 3 × 256, 2–6 items of 3 × 6 bits",
      published="not zero cost after 1M episodes; fails beyond 6 items",
      overrides=_lstm(256, 1e-4),
      **_RECALL,
    ),
    Row(
      name="ntm_ngrams",
      setting="dynamic 6-grams, NTM (LSTM 100), 200-bit sequences",
      published="slightly below LSTM's cost, above the optimal estimator's (no number in the text)",
      overrides=_NTM_ADAM,
      **_NGRAMS,
    ),
    Row(
      name="lstm_ngrams",
      setting="dynamic 6-grams, LSTM 3 × 128, 200-bit sequences",
      published="slightly above the NTM's cost (no number in the text)",
      overrides=_lstm(128, 1e-4),
      **_NGRAMS,
    ),
    Row(
      name="ntm_priority_sort",
      setting="priority sort, NTM (2 × 100 LSTM, 5 + 5 heads), top 16 of 20",
      published="substantially below LSTM's cost (no number in the text)",
      overrides=_NTM_ADAM,
      **_SORT,
    ),
    Row(
      name="dnc_priority_sort",
      setting="priority sort, DNC (2 × 100 LSTM, 5 read heads), memory 128 × 20, top 16 of 20, "
      "Adam ε 1e-8",
      published=_NO_DNC_NUMBER,
      overrides=_NTM_ADAM | {"optimizer.eps": 1e-8},
      **(
        _SORT
        | {"paper": DNC_PAPER + "; task: NTM §4.5", "published_statistic": "–"}
        | {"config": "dnc_priority_sort", "note": _DNC_BUDGET}
      ),
    ),
    Row(
      name="lstm_priority_sort",
      setting="priority sort, LSTM 3 × 128, top 16 of 20",
      published="substantially above the NTM's cost (no number in the text)",
      overrides=_lstm(128, 3e-5),
      **_SORT,
    ),
  ]
}

# The Neural GPU on the CPU: trained on short numbers (its step costs grow as the
# tape's length squared: 41 cells at 20 bits is ~1.4 s per step of batch 32).
_NGPU_BITS, _NGPU_INTERVAL = 6, 200
ROWS["neural_gpu_addition"] = Row(
  name="neural_gpu_addition",
  paper="Kaiser & Sutskever 2016, abstract and §4",
  setting=f"binary addition, Neural GPU (w 4, m 24, 2 CGRU layers, 6 relaxed copies), "
  f"trained on 1–{_NGPU_BITS}-bit numbers",
  published="no errors on much longer numbers after training on up to 20 bits",
  published_statistic="the paper's models that trained well (not a mean over seeds)",
  config="neural_gpu_addition",
  overrides={
    "task.max_length": _NGPU_BITS,
    "task.curriculum_kwargs.step_interval": _NGPU_INTERVAL,
    "model.relax_every": _NGPU_INTERVAL,
  },
  seeds=2,
  steps=5000,
  eval_every=500,
  eval_sequences=256,
  metric="sequence_accuracy",
  metric_description="share of additions with every bit right, training lengths",
  sweep_lengths=(_NGPU_BITS, 20, 100, 200, 2000),
  sweep_sequences=8,
  sweep_batch_size=8,
  sweep_metric="sequence_accuracy",
  also=("token_accuracy",),
  note=f"trained on ≤ {_NGPU_BITS} bits, not 20 (CPU budget); 8 test additions per length",
)

# The same on a GPU: the paper's 20-bit training lengths, the curriculum's bit every 200 steps.
_NGPU_GPU_BITS = 20
ROWS["neural_gpu_addition_20bit"] = dataclasses.replace(
  ROWS["neural_gpu_addition"],
  name="neural_gpu_addition_20bit",
  setting="binary addition, Neural GPU (w 4, m 24, 2 CGRU layers, 6 relaxed copies), "
  f"trained on 1–{_NGPU_GPU_BITS}-bit numbers (a GPU run)",
  overrides={
    "task.max_length": _NGPU_GPU_BITS,
    "task.curriculum_kwargs.step_interval": _NGPU_INTERVAL,
    "model.relax_every": _NGPU_INTERVAL,
  },
  steps=6000,
  sweep_lengths=(_NGPU_GPU_BITS, 100, 200, 2000),
  note=f"trained on ≤ {_NGPU_GPU_BITS} bits for 6,000 steps (the paper: far longer, many "
  "settings); 8 test additions per length",
)

# Images as sequences: scikit-learn's digits read row by row (or pixel by pixel), 3 seeds.
_PIXELS = {"task.kwargs": {"scan": "pixels"}, "task.min_length": 64, "task.max_length": 64,
           "task.eval_lengths": (64,)}  # fmt: skip
_BIDIRECTIONAL = {"model": {"name": "bidirectional", "cell": "lstm", "hidden_size": 128,
                            "num_layers": 1}}  # fmt: skip
for _name, _overrides in {
  "rnn": {"model.name": "rnn"}, "gru": {"model.name": "gru"}, "lstm": {},
  "bidirectional_lstm": _BIDIRECTIONAL, "lstm_pixels": _PIXELS,
}.items():  # fmt: skip
  _length = 64 if "pixels" in _name else 8
  ROWS[f"digits_{_name}"] = Row(
    name=f"digits_{_name}", paper="images as sequences (row LSTM; no paper's number)",
    setting=f"scikit-learn's 8 × 8 digits, {_name.replace('_', ' ')} of 128 over "
    f"{'64 pixels' if _length == 64 else '8 rows'}, 1,437 training and 360 test images",
    published="·", published_statistic="none published",
    config="digits_rows", overrides=_overrides, seeds=3, steps=2000, eval_every=500,
    eval_sequences=360, metric="sequence_accuracy",
    metric_description="test accuracy, all 360 test images", sweep_lengths=(_length,),
    sweep_sequences=360, sweep_batch_size=360, sweep_metric="sequence_accuracy",
    note="Adam at 1e-3, batch 64",
  )  # fmt: skip

ROWS.update(chomsky_table.rows())
ROWS.update(transduction_table.rows())
ROWS.update(babi_table.rows())
ROWS.update(sequence_table.rows())
