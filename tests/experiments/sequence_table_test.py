"""The sequence models' rows: their configs, one run per seed, and the table they render."""

import pytest
from helpers import png

from experiments import (
  lm_run,
  reproduction,
  rows,
  runners,
  seq2seq_run,
  sequence_table,
  word2vec_run,
)


def test_every_sequence_row_is_a_reproduce_row_trained_by_a_runner():
  for name in sequence_table.ROW_NAMES:
    row = rows.ROWS[name]
    config = sequence_table.build_config(row, seed=3, steps=77, smoke=False)
    assert runners.find(config) in (lm_run.run, word2vec_run.run, seq2seq_run.run)
    assert config.train.seed == 3 and config.train.steps == 77
  names = sequence_table.ROW_NAMES
  assert {rows.ROWS[n].overrides["model.cell"] for n in names if n.startswith("lm_")} == {
    "rnn", "lstm", "gru",
  }  # fmt: skip
  assert {rows.ROWS[n].overrides["model.kind"] for n in names if n.startswith("word2vec_")} == {
    "skipgram", "cbow",
  }  # fmt: skip
  assert {rows.ROWS[n].overrides["model.attention"] for n in names if n.startswith("seq2seq_")} == {
    True, False,
  }  # fmt: skip


def test_a_row_override_of_no_field_is_refused():
  row = rows.ROWS["lm_grammar_lstm"]
  bad = type(row)(**{**row.__dict__, "overrides": {"model.cells": "lstm"}})
  with pytest.raises(KeyError, match="model.cells"):
    sequence_table.build_config(bad, seed=0, steps=1, smoke=True)


def test_run_row_keeps_each_seed_and_the_best_is_the_lowest_perplexity(monkeypatch, tmp_path):
  perplexities = iter([7.5, 6.9])

  def fake_run(config, path):
    return {"best_valid_perplexity": next(perplexities), "seed": config.train.seed}

  monkeypatch.setattr(runners, "find", lambda config: fake_run)
  result = sequence_table.run_row(rows.ROWS["lm_grammar_gru"], 2, 10, tmp_path, smoke=True)
  assert result["per_seed"] == [7.5, 6.9] and result["best"] == 6.9
  assert [s["seed"] for s in result["summaries"]] == [0, 1]
  smoke_task = sequence_table.build_config(rows.ROWS["lm_grammar_gru"], 0, 1, smoke=True).task
  assert result["reference"]["value"] == lm_run.grammar_valid_perplexity(smoke_task)
  table = sequence_table.render([{**result, "row": "lm_grammar_gru", "setting": "s",
                                  "published_statistic": "exact", "command": "cmd"}])  # fmt: skip
  reference = f"{result['reference']['value']:.2f} (exact)"
  assert f"| lm_grammar_gru | s | {reference} | 6.90 | 7.20 ± 0.30 | 2 × 60 |" in table


def test_a_row_with_exact_match_per_length_keeps_a_sweep_the_figure_draws(monkeypatch, tmp_path):
  matched = iter([{"5": 1.0, "30": 0.25}, {"5": 0.5, "30": 0.0}])

  def fake_run(config, path):
    em = next(matched)
    return {"test_exact_match": em["30"], "exact_match": em,
            "beam_exact_match": {n: v / 2 for n, v in em.items()}}  # fmt: skip

  monkeypatch.setattr(runners, "find", lambda config: fake_run)
  row = rows.ROWS["seq2seq_reverse_attention"]
  result = sequence_table.run_row(row, 2, 10, tmp_path, smoke=True)
  assert result["sweep"]["lengths"] == [5, 30] and result["seeds"] == [0, 1]
  assert result["sweep"]["per_seed"] == [[1.0, 0.25], [0.5, 0.0]]
  assert result["sweep"]["also"]["beam_exact_match"] == [[0.5, 0.125], [0.25, 0.0]]
  figure = reproduction.plot_sweeps([{**result, "row": row.name}], tmp_path / "s.png")
  png.png_size(figure, min_bytes=1000)
