"""The transduction table: Grefenstette et al. 2015's App. E Table 3 and memnets' runs beside it.

Each (model, task) pair is a row of `experiments.rows` named
`grefenstette_<model>_<task>` (`python -m experiments.reproduce
grefenstette_neural_stack_transduction_reversal`), trained on the paper's
protocol (`configs.transduction_config`) and swept over source lengths 8–64
(training) and 65–128 (tests), every 8th. The paper's metrics (§4.3):
coarse, the share of sequences whose whole target and EOS are right, and
fine, the share of each target right before its first error; each is
averaged over the sweep's training or test lengths. The paper reports one
model per cell, picked by its average training perplexity; memnets picks the
seed with the lowest loss at training lengths and also gives the mean ± sd
of the test coarse accuracy over seeds.

Table 3's numbers come from one copy of the paper's text (App. E); the
baseline beside memnets' one-layer LSTM of 256 is its 1-layer LSTM row.
`render(results)` draws the table from `results/grefenstette_*.json` and
`python -m experiments.reproduce --table` writes it into docs/results.md
between TRANSDUCTION_START and TRANSDUCTION_END.
"""

import re

import numpy as np

from experiments import configs
from experiments.configs import neural_stack_transduction
from experiments.row import Row

PAPER = "Grefenstette et al. 2015, App. E Table 3"
STATISTIC = "one model per cell, picked by average training perplexity over runs and learning rates"
MODELS = ("lstm", "neural_stack", "neural_queue", "neural_deque")
TASKS = (
  "transduction_copy",
  "transduction_reversal",
  "bigram_flipping",
  "svo_to_sov",
  "gender_conjugation",
)
SWEEP_SEQUENCES = 64  # sequences per sweep length (the paper: 1000 per evaluation)
TRANSDUCTION_START = "<!-- transduction:table:start -->"
TRANSDUCTION_END = "<!-- transduction:table:end -->"

# Table 3 (App. E): (train coarse, train fine, test coarse, test fine); lstm is the 1-layer LSTM.
_L, _S, _Q, _D = MODELS
PUBLISHED: dict[str, dict[str, tuple[float, float, float, float]]] = {
  "transduction_copy": {
    _L: (0.62, 0.87, 0.00, 0.38),
    _S: (0.89, 0.94, 0.00, 0.22),
    _Q: (1.00, 1.00, 1.00, 1.00),
    _D: (1.00, 1.00, 1.00, 1.00),
  },
  "transduction_reversal": {
    _L: (0.78, 0.87, 0.01, 0.09),
    _S: (1.00, 1.00, 1.00, 1.00),
    _Q: (0.44, 0.61, 0.00, 0.07),  # Fig. 2a prints 0.01 for the test fine accuracy
    _D: (1.00, 1.00, 1.00, 1.00),
  },
  "bigram_flipping": {
    _L: (0.53, 0.93, 0.01, 0.53),
    _S: (0.44, 0.90, 0.00, 0.48),
    _Q: (0.55, 0.94, 0.55, 0.98),
    _D: (0.55, 0.94, 0.53, 0.98),
  },
  "svo_to_sov": {
    _L: (0.96, 0.98, 0.96, 0.99),
    _S: (1.00, 1.00, 1.00, 1.00),
    _Q: (1.00, 1.00, 1.00, 1.00),
    _D: (1.00, 1.00, 1.00, 1.00),
  },
  "gender_conjugation": {
    _L: (0.97, 0.99, 0.97, 0.99),
    _S: (0.93, 0.97, 0.93, 0.97),
    _Q: (1.00, 1.00, 1.00, 1.00),
    _D: (1.00, 1.00, 1.00, 1.00),
  },
}


def row_name(model: str, task: str) -> str:
  return f"grefenstette_{model}_{task}"


def scores(result: dict) -> np.ndarray:
  """Per seed [K, 4]: coarse and fine accuracy averaged over the training, then the test lengths."""
  lengths = np.asarray(result["sweep"]["lengths"])
  coarse = np.asarray(result["sweep"]["per_seed"], dtype=float)  # [K, L] sequence accuracy
  fine = np.asarray(result["sweep"]["also"]["prefix_accuracy"], dtype=float)
  train = lengths <= configs.TRANSDUCTION_TRAIN_LENGTHS[1]
  return np.stack(
    [
      coarse[:, train].mean(1),
      fine[:, train].mean(1),
      coarse[:, ~train].mean(1),
      fine[:, ~train].mean(1),
    ],
    axis=1,
  )


def selected_seed(result: dict) -> int:
  """The seed with the lowest loss at training lengths (the paper picks by training perplexity)."""
  return int(np.argmin(result["final_per_seed"]["loss"]))


def _pair(values) -> str:
  return f"{values[0]:.2f} / {values[1]:.2f}"


def render(results: list[dict]) -> str:
  """A line per (task, model): the paper's and memnets' coarse / fine accuracy, training and tests."""
  by_name = {r["row"]: r for r in results}
  lines = [
    "| task | model | paper: train | paper: test | memnets: train | memnets: test "
    "| test coarse, mean ± sd | seeds × steps × batch |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ]
  for task in TASKS:
    for model in MODELS:
      paper = PUBLISHED[task][model]
      cells = [task, f"`{model}`", _pair(paper[:2]), _pair(paper[2:])]
      result = by_name.get(row_name(model, task))
      if result is None:
        cells += ["·", "·", "·", "not run yet"]
      else:
        values = scores(result)
        chosen = values[selected_seed(result)]
        batch = re.search(r"batch (\d+)", result.get("setting", ""))
        budget = f"{len(values)} × {result['steps']:,}" + (f" × {batch.group(1)}" if batch else "")
        smoke = " SMOKE" if result.get("smoke") else ""
        cells += [
          _pair(chosen[:2]),
          f"**{_pair(chosen[2:])}**",
          f"{values[:, 2].mean():.2f} ± {values[:, 2].std():.2f}",
          budget + smoke,
        ]
      lines.append("| " + " | ".join(cells) + " |")
  return "\n".join(lines)


# The rows: every model on every task at one CPU budget (the paper trains
# "to convergence" and names no step count).
STEPS, BATCH, SEEDS = 2000, 32, 2


def _row(model: str, task: str) -> Row:
  if model == "lstm":
    config, overrides = "lstm_transduction", {}
  else:
    config = "neural_stack_transduction"
    stack_model = neural_stack_transduction.get_config().model.to_dict()
    overrides = {"model": {**stack_model, "name": model}}
  paper = PUBLISHED[task][model]
  return Row(
    name=row_name(model, task),
    paper=PAPER,
    setting=f"{task}, {model} (`{config}`), sources of 8–64 symbols, batch {BATCH}",
    published=f"test coarse / fine {_pair(paper[2:])}",
    published_statistic=STATISTIC,
    config=config,
    overrides={**overrides, "task.name": task, "train.batch_size": BATCH},
    seeds=SEEDS,
    steps=STEPS,
    eval_every=500,
    eval_sequences=128,
    metric="sequence_accuracy",
    metric_description="coarse accuracy, training lengths",
    sweep_lengths=configs.TRANSDUCTION_SWEEP_LENGTHS,
    sweep_sequences=SWEEP_SEQUENCES,
    sweep_metric="sequence_accuracy",
    also=("prefix_accuracy",),
    note=f"{STEPS:,} steps of batch {BATCH}, one learning rate (1e-3) (CPU budget; the paper: to convergence)",
  )


def rows() -> list[tuple[str, Row]]:
  """The table's rows, `(name, Row)` for every task and model."""
  return [(row_name(m, t), _row(m, t)) for t in TASKS for m in MODELS]
