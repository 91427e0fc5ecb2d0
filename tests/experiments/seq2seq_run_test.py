"""The encoder-decoder runner: a smoke run on reverse_string, its files, bad input."""

import json

import pytest
from helpers import png

from experiments import runners, seq2seq_run
from experiments.configs import attention_reverse, attention_text
from memnets.tasks import grammar


def test_smoke_run_lowers_the_loss_and_writes_its_files(tmp_path):
  config = attention_reverse.get_config("smoke")
  assert runners.find(config) is seq2seq_run.run
  summary = seq2seq_run.run(config, tmp_path)
  history = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
  assert history[-1]["loss"] < history[0]["loss"] < 0.8  # ln 2 per step at chance
  assert set(summary["exact_match"]) == {"6"} and summary["train_exact_match"] is None
  assert 0.0 <= summary["test_exact_match"] <= 1.0 and "beam_exact_match" not in summary
  png.png_size(tmp_path / seq2seq_run.ATTENTION_PNG, min_bytes=1000)
  with pytest.raises(FileExistsError, match="summary.json"):
    seq2seq_run.run(config, tmp_path)
  config.task.min_length = 0
  with pytest.raises(ValueError, match="length"):
    seq2seq_run.run(config, tmp_path / "bad")


def test_parallel_text_run_scores_the_held_out_pairs_and_writes_their_translations(tmp_path):
  config = attention_text.get_config("smoke")
  paths = grammar.write_parallel(tmp_path / "en.txt", tmp_path / "xx.txt", 60, seed=1)
  config.task.source_path, config.task.target_path = map(str, paths)
  config.task.valid_fraction = 0.2
  summary = seq2seq_run.run(config, tmp_path / "run")
  assert summary["valid_pairs"] + summary["train_pairs"] + summary["dropped_pairs"] == 60
  for key in ("exact_match", "token_accuracy", "beam_exact_match", "beam_token_accuracy"):
    assert 0.0 <= summary[key] <= 1.0
  assert 1.0 < summary["perplexity"] < summary["target_vocabulary"] * 2
  lines = (tmp_path / "run" / seq2seq_run.TRANSLATIONS_TXT).read_text().split("\n")[:-1]
  assert len(lines) == summary["valid_pairs"]
  png.png_size(tmp_path / "run" / seq2seq_run.ATTENTION_PNG, min_bytes=1000)
  config.task.target_path = ""
  with pytest.raises(ValueError, match="task.source_path and task.target_path"):
    seq2seq_run.run(config, tmp_path / "bad")
