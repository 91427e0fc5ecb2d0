"""The language-model runner: a smoke run on the grammar corpus, a user's file, bad input."""

import json

import pytest

from experiments import lm_run, runners
from experiments.configs import lm_grammar


def _smoke(**task):
  config = lm_grammar.get_config("smoke")
  config.train.steps = 40
  config.train.eval_every = 20
  for key, value in task.items():
    config.task[key] = value
  return config


def test_smoke_run_on_the_grammar_lowers_the_held_out_perplexity(tmp_path):
  config = _smoke()
  assert runners.find(config) is lm_run.run
  summary = lm_run.run(config, tmp_path)
  history = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
  assert history[-1]["valid_perplexity"] < 0.8 * summary["vocabulary_size"]  # well below uniform
  assert history[-1]["valid_perplexity"] < history[0]["valid_perplexity"]
  assert summary["optimal_perplexity"] < summary["valid_perplexity"]
  assert len(summary["samples"]) == config.task.num_samples
  assert json.loads((tmp_path / "summary.json").read_text()) == summary
  with pytest.raises(FileExistsError, match="summary.json"):
    lm_run.run(config, tmp_path)


def test_a_users_character_file_trains_and_bad_settings_name_the_field(tmp_path):
  corpus = tmp_path / "mine.txt"
  corpus.write_text("abcabc abc\n" * 30)
  config = _smoke(data_path=str(corpus), level="char")
  summary = lm_run.run(config, tmp_path / "run")
  assert summary["vocabulary_size"] == 6  # EOS, UNK, a, b, c and the space
  assert "optimal_perplexity" not in summary
  with pytest.raises(ValueError, match="task.valid_fraction"):
    lm_run.run(_smoke(valid_fraction=1.5), tmp_path / "bad")
  with pytest.raises(FileNotFoundError, match="nothing.txt"):
    lm_run.run(_smoke(data_path=str(tmp_path / "nothing.txt")), tmp_path / "bad2")
