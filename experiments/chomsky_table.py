"""The Chomsky-hierarchy table: Delétang et al. 2023's Table 2 and memnets' runs beside it.

Each (model, task) pair is a row of `experiments.rows` named
`chomsky_<model>_<task>` (`python -m experiments.reproduce
chomsky_stack_rnn_reverse_string`), trained on the paper's protocol
(`configs.chomsky_config`) and swept over test lengths 41–500. A row's score
per seed is the paper's: the per-token accuracy averaged over the test
lengths (memnets' sweep measures every 20th length of 41–500, and 500, on
SWEEP_SEQUENCES sequences each; the paper, every length on 512). The table
shows, per cell, the best seed's score (the paper's statistic is the maximum
over 10 seeds and 3 learning rates) and the mean ± sd over seeds, beside
Table 2's number.

`render(results)` draws the grid from the `results/chomsky_*.json` files;
`python -m experiments.reproduce --table` writes it into docs/results.md
between CHOMSKY_START and CHOMSKY_END. `plot_task` draws one task's accuracy
against test length, a line per model (`python -m experiments.reproduce
--chomsky_figure=reverse_string` writes docs/figures/chomsky_reverse_string.png).
"""

import pathlib
import re

import numpy as np

from experiments import configs
from experiments.row import Row
from memnets.figures import sweep as sweep_figures
from memnets.tasks import chomsky

PAPER = "Delétang et al. 2023, Table 2"
STATISTIC = (
  "maximum over 10 seeds and 3 learning rates of the per-token accuracy (%) averaged over "
  "test lengths 41–500"
)
MODELS = (
  "rnn",
  "lstm",
  "stack_rnn",
  "ndstack_rnn",
  "tape_rnn",
  "transformer",
  "neural_stack",
  "ntm",
  "dnc",
)
TASKS = (
  # Regular.
  "even_pairs",
  "modular_arithmetic",
  "parity_check",
  "cycle_navigation",
  # Deterministic context-free.
  "stack_manipulation",
  "reverse_string",
  "modular_arithmetic_brackets",
  "solve_equation",
  # Context-sensitive.
  "duplicate_string",
  "missing_duplicate_string",
  "odds_first",
  "binary_addition",
  "binary_multiplication",
  "compute_sqrt",
  "bucket_sort",
)
SWEEP_SEQUENCES = 64  # test sequences per length (the paper: 512)
CHOMSKY_START = "<!-- chomsky:table:start -->"
CHOMSKY_END = "<!-- chomsky:table:end -->"

# Table 2's scores (%), by task, in the order rnn, stack_rnn, tape_rnn,
# transformer (the best of its positional encodings per task), lstm. Only the
# cells checked against a second source are filled; None: not yet checked.
_R, _S, _T, _X, _L = "rnn", "stack_rnn", "tape_rnn", "transformer", "lstm"
PUBLISHED: dict[str, dict[str, float | None]] = {
  "even_pairs": {_R: 100.0, _S: 100.0, _T: 100.0, _X: None, _L: 100.0},
  "modular_arithmetic": {_R: 100.0, _S: 100.0, _T: 100.0, _X: 24.2, _L: 100.0},
  "parity_check": {_R: 100.0, _S: 100.0, _T: 100.0, _X: 52.0, _L: 100.0},
  "cycle_navigation": {_R: 100.0, _S: 100.0, _T: 100.0, _X: 61.9, _L: 100.0},
  "stack_manipulation": {_R: 56.0, _S: 100.0, _T: 100.0, _X: 57.5, _L: 59.1},
  "reverse_string": {_R: 62.0, _S: 100.0, _T: 100.0, _X: 62.3, _L: 60.9},
  "duplicate_string": {_R: 50.3, _S: 52.8, _T: 100.0, _X: 52.8, _L: 57.6},
  "missing_duplicate_string": {_T: 100.0},
  "odds_first": {_R: 51.0, _S: 51.9, _T: 100.0, _X: 52.8, _L: 55.6},
  "binary_addition": {_T: 100.0},
}


# Where Table 2's number is not at hand, the bound the paper's text states
# ("solves": a score of at least 90%; §5 and App. B), one source each.
BOUNDS: dict[str, dict[str, str]] = {
  "even_pairs": {_X: "≥ 90"},
  "solve_equation": {_S: "< 90"},
  "binary_multiplication": {_T: "< 90"},
  "compute_sqrt": {_T: "< 90"},
  "bucket_sort": {_X: "≥ 90", _L: "≥ 90", _S: "< 90"},
}


def row_name(model: str, task: str) -> str:
  return f"chomsky_{model}_{task}"


def scores(result: dict) -> np.ndarray:
  """Per-seed score (%) of one row's result: token accuracy averaged over its sweep lengths."""
  per_seed = np.asarray(result["sweep"]["per_seed"], dtype=float)  # [K, lengths]
  return 100.0 * per_seed.mean(axis=1)


def _cell(result: dict | None, published: float | None, bound: str | None = None) -> str:
  paper = bound or "–" if published is None else f"{published:.1f}"
  if result is None:
    return f"· ({paper})"
  values = scores(result)
  smoke = " SMOKE" if result.get("smoke") else ""
  spread = f"{values.mean():.1f} ± {values.std():.1f}" if len(values) > 1 else "one seed"
  batch = re.search(r"batch (\d+)", result.get("setting", ""))
  budget = f"{len(values)}×{result['steps']:,}" + (f"×{batch.group(1)}" if batch else "")
  return f"**{values.max():.1f}** ({paper}); {spread}, {budget}{smoke}"


def render(results: list[dict]) -> str:
  """The grid: a row per task, a column per model.

  Each cell: 'best (paper); mean ± sd, seeds×steps×batch'.
  """
  by_name = {r["row"]: r for r in results}
  lines = [
    "| task | " + " | ".join(f"`{m}`" for m in MODELS) + " |",
    "| --- |" + " --- |" * len(MODELS),
  ]
  for task in TASKS:
    published = PUBLISHED.get(task, {})
    bounds = BOUNDS.get(task, {})
    cells = [_cell(by_name.get(row_name(m, task)), published.get(m), bounds.get(m)) for m in MODELS]
    lines.append(f"| {task} | " + " | ".join(cells) + " |")
  return "\n".join(lines)


def plot_task(task: str, results: list[dict], path: pathlib.Path) -> pathlib.Path:
  """Per-token accuracy against test length, one line per model's best seed, on `task`.

  Raises:
    ValueError: `task` is no Chomsky task, or no result of it is among `results`.
  """
  if task not in TASKS:
    raise ValueError(f"unknown task {task!r}; known: {', '.join(TASKS)}")
  curves = {}
  for model in MODELS:
    result = next((r for r in results if r["row"] == row_name(model, task)), None)
    if result is None:
      continue
    best = int(np.argmax(scores(result)))
    curves[model] = (result["sweep"]["lengths"], result["sweep"]["per_seed"][best])
  if not curves:
    raise ValueError(f"no results/chomsky_<model>_{task}.json to plot")
  return sweep_figures.plot_models(
    path,
    curves,
    "per-token accuracy (best seed)",
    train_lengths=(1, 40),
    title=f"{task}: trained on lengths 1–40",
  )


# The grid's rows: every model on every task, the paper's protocol at a CPU budget of (steps, batch) per cell;
# memnets' models that the paper lacks (neural_stack, ntm, dnc) run on the
# same protocol. The rnn column and the cells below ran at the first budget of
# 2,000 steps at the paper's batch 128 (about 20 minutes a cell for an LSTM);
# the rest of the grid at 1,000 steps of batch 32, an eighth of the cost.
_CHOMSKY_FIRST_BUDGET = (2000, 128)
_CHOMSKY_BUDGET = (1000, 32)
_CHOMSKY_FIRST_CELLS = {
  ("lstm", "parity_check"),
  ("lstm", "even_pairs"),
  ("lstm", "cycle_navigation"),
  ("lstm", "reverse_string"),
  ("stack_rnn", "even_pairs"),
  ("stack_rnn", "reverse_string"),
  ("tape_rnn", "odds_first"),
}
_CHOMSKY_NOTE = (
  "{steps:,} of the paper's 1,000,000 steps at batch {batch}, one learning rate (3e-4) (CPU budget)"
)
# The Transformer's attention weights at the longest test lengths (up to 1,500
# steps on duplicate_string): 8 sequences per compiled call, not 64, to fit in memory.
TRANSFORMER_SWEEP_BATCH = 8
# The NDStack-RNN's O(T³) forward pass: tested on lengths 41–200 only.
NDSTACK_SWEEP_LENGTHS = (*range(41, 200, 20), 200)


def _row(model: str, task: str) -> Row:
  first = model == "rnn" or (model, task) in _CHOMSKY_FIRST_CELLS
  steps, batch = _CHOMSKY_FIRST_BUDGET if first else _CHOMSKY_BUDGET
  if model == "ndstack_rnn":
    batch = 16  # the paper's, for memory
  published = PUBLISHED.get(task, {}).get(model)
  in_paper = model in ("rnn", "lstm", "stack_rnn", "ndstack_rnn", "tape_rnn", "transformer")
  sweep = NDSTACK_SWEEP_LENGTHS if model == "ndstack_rnn" else configs.CHOMSKY_SWEEP_LENGTHS
  note = _CHOMSKY_NOTE.format(steps=steps, batch=batch)
  if model == "ndstack_rnn":
    note += "; tested on lengths 41–200 (its O(T³) forward pass)"
  return Row(
    name=row_name(model, task),
    paper=PAPER if in_paper else PAPER + "'s protocol; not in it",
    setting=f"{task}, {model} (`{model}_chomsky`), training lengths 1–40, batch {batch}",
    published="not run in the paper" if not in_paper else f"{published}%" if published else "–",
    published_statistic=STATISTIC,
    config=f"{model}_chomsky",
    overrides={
      "task.name": task,
      "task.min_length": chomsky.TASKS[task]().min_length,
      "train.batch_size": batch,
    },
    seeds=3,
    steps=steps,
    eval_every=500,
    eval_sequences=128,
    metric="token_accuracy",
    metric_description="per-token accuracy, training lengths",
    sweep_lengths=sweep,
    sweep_sequences=SWEEP_SEQUENCES,
    sweep_metric="token_accuracy",
    sweep_batch_size=TRANSFORMER_SWEEP_BATCH if model == "transformer" else SWEEP_SEQUENCES,
    note=note,
  )


def rows() -> list[tuple[str, Row]]:
  """The grid's rows, `(name, Row)` for every task and model."""
  return [(row_name(m, t), _row(m, t)) for t in TASKS for m in MODELS]
