"""The sequence models' table: rows trained by a runner of `experiments.runners`, one run per seed.

A row here is a config whose `task.name` has a runner (the language model,
word2vec, the encoder-decoder): `run_row` trains it once per seed (the
config's `train.seed` = 0, 1, ...; each in `<workdir>/seed<k>`, reused
when a finished run of the same config is there), reads the row's metric
from each run's summary, and the row's reference (what the metric is
measured against: the grammar's own perplexity on the held-out sentences, the same model without
attention) from its `reference`. `render` draws the table into
docs/results.md between SEQUENCE_START and SEQUENCE_END.
"""

import importlib
import json
import pathlib
import time

import ml_collections
import numpy as np

from experiments import lm_run, runners
from experiments.row import Row

SEQUENCE_START = "<!-- sequence:table:start -->"
SEQUENCE_END = "<!-- sequence:table:end -->"
LOWER_IS_BETTER = ("best_valid_perplexity", "valid_perplexity")

_GRAMMAR = (
  "the grammar's own perplexity on the held-out sentences",
  lambda config: lm_run.grammar_valid_perplexity(config.task),
)


def rows() -> list[tuple[str, Row]]:
  """The language-model rows: RNN, LSTM and GRU on the grammar corpus."""
  out = []
  for cell in ("rnn", "lstm", "gru"):
    out.append(Row(
      name=f"lm_grammar_{cell}", paper="memnets (the grammar's exact entropy rate)",
      setting=f"{cell.upper()} of 100, one-hot words, grammar corpus of 100,000 sentences",
      published="optimum 6.43", published_statistic="the grammar's, on the same sentences",
      config="lm_grammar", overrides={"model.cell": cell}, seeds=2, steps=3000,
      metric="best_valid_perplexity", metric_description="held-out perplexity per token",
      reference=_GRAMMAR, note="Adam at 3e-3, batch 32 windows of 35 tokens",
    ))  # fmt: skip
  for kind in ("skipgram", "cbow"):
    out.append(Row(
      name=f"word2vec_grammar_{kind}", paper="Mikolov et al. 2013a, b (word2vec)",
      setting=f"{kind}, negative sampling (k 5), window 5, t 1e-3, 100 dimensions, grammar "
      "corpus of 20,000 sentences", published="·",
      published_statistic="none published: same- minus different-category cosine",
      config="word2vec_grammar", overrides={"model.kind": kind}, seeds=3, steps=285,
      metric="category_margin",
      metric_description="mean cosine of same-category word pairs minus different-category",
      note="285 steps of 256 centre words (5 epochs); the released code's rate, subsampling "
      "and CBOW gradient",
    ))  # fmt: skip
  for attention in (True, False):
    out.append(Row(
      name=f"seq2seq_reverse_{'attention' if attention else 'plain'}",
      paper="Bahdanau et al. 2015 (attention); Cho et al. 2014 (without)",
      setting=f"reverse_string, bidirectional GRU of 64 and a GRU decoder "
      f"{'with additive attention' if attention else 'without attention'}, trained on lengths 1–20",
      published="·", published_statistic="none on this task: the two models side by side",
      config="attention_reverse", overrides={"model.attention": attention}, seeds=2, steps=3000,
      metric="test_exact_match",
      metric_description="exact match (greedy) averaged over lengths 25, 30, 40, 60",
      note="Adam at 1e-3, batch 32; 256 sequences per length; exact match per length in ROW.json (sweep)",
    ))  # fmt: skip
  for attention in (True, False):
    out.append(Row(
      name=f"seq2seq_translation_{'attention' if attention else 'plain'}",
      paper="Bahdanau et al. 2015 (attention); Cho et al. 2014 (without)",
      setting="parallel text: the grammar's toy translation (a lexicon, adjectives after their "
      f"noun), 20,000 pairs, bidirectional GRU of 64, "
      f"{'additive attention' if attention else 'no attention'}",
      published="·", published_statistic="none on this corpus: the two models side by side",
      config="attention_text", overrides={"model.attention": attention}, seeds=2, steps=3000,
      metric="exact_match", metric_description="held-out translations exactly right (greedy)",
      note="Adam at 1e-3, batch 32; the last 2,000 pairs held out",
    ))  # fmt: skip
  return [(r.name, r) for r in out]


ROW_NAMES = tuple(name for name, _ in rows())


def build_config(row: Row, seed: int, steps: int, smoke: bool) -> ml_collections.ConfigDict:
  """The row's config for one seed: the file's (`:smoke` variant if asked), its overrides, the steps."""
  module = importlib.import_module(f"experiments.configs.{row.config}")
  config = module.get_config("smoke" if smoke else None)
  for dotted, value in row.overrides.items():
    section, field = dotted.split(".")
    if field not in config[section]:
      raise KeyError(f"row {row.name}: override {dotted!r} names no field of {row.config}")
    config[section][field] = value
  config.train.seed = seed
  if not smoke:
    config.train.steps = steps
  return config


def _finished(config, path: pathlib.Path) -> dict | None:
  if not (path / "summary.json").exists():
    return None
  if json.loads((path / "config.json").read_text()) != json.loads(config.to_json()):
    raise ValueError(f"{path / 'config.json'}: a run of another config; choose another --workdir")
  return json.loads((path / "summary.json").read_text())


def run_row(row: Row, seeds: int, steps: int, workdir: pathlib.Path, smoke: bool = False) -> dict:
  """Every seed of `row`: the part of ROW.json that is the row's own."""
  began = time.perf_counter()
  values, summaries = [], []
  for seed in range(seeds):
    config = build_config(row, seed, steps, smoke)
    path = workdir / f"seed{seed}"
    summary = _finished(config, path) or runners.find(config)(config, path)
    values.append(float(summary[row.metric]))
    summaries.append(summary)
  values = np.asarray(values)
  best = values.min() if row.metric in LOWER_IS_BETTER else values.max()
  result = {
    "per_seed": values.tolist(), "best": float(best), "mean": float(values.mean()),
    "std": float(values.std()), "summaries": summaries, "num_seeds": seeds,
    "steps": int(summaries[-1].get("steps", config.train.steps)), "wall_sec": time.perf_counter() - began,
    "config": config.to_dict(),
  }  # fmt: skip
  if isinstance(summaries[0].get("exact_match"), dict):  # per length: a sweep to plot
    lengths = sorted(summaries[0]["exact_match"], key=int)
    per_length = lambda key: [[s[key][n] for n in lengths] for s in summaries]  # noqa: E731
    result["seeds"] = list(range(seeds))
    result["sweep"] = {
      "lengths": [int(n) for n in lengths], "metric": "exact_match",
      "per_seed": per_length("exact_match"),
      "also": {"beam_exact_match": per_length("beam_exact_match")}
      if "beam_exact_match" in summaries[0] else {},
    }  # fmt: skip
  if row.reference is not None:
    description, compute = row.reference
    result["reference"] = {"description": description, "value": float(compute(config))}
  return result


def render(results: list[dict]) -> str:
  """The markdown table of the sequence rows, in the order of ROW_NAMES."""
  order = {name: i for i, name in enumerate(ROW_NAMES)}
  lines = [
    "| row | setting | reference | memnets: best of seeds | mean ± sd | seeds × steps | wall | command |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ]
  for result in sorted(results, key=lambda r: order.get(r["row"], len(order))):
    reference = result.get("reference", {}).get("value")
    cells = [
      result["row"], result["setting"],
      "·" if reference is None else f"{reference:.2f} ({result['published_statistic']})",
      f"{result['best']:.2f}", f"{result['mean']:.2f} ± {result['std']:.2f}",
      f"{result['num_seeds']} × {result['steps']:,}", f"{result['wall_sec'] / 60:.0f} min",
      f"`{result['command']}`",
    ]  # fmt: skip
    lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
  return "\n".join(lines)
