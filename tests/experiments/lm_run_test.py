"""The language-model runner and query binary: the grammar corpus, a user's file, bad input."""

import json

import jax.numpy as jnp
import numpy as np
import pytest

from experiments import lm_run, runners
from experiments.configs import lm_grammar
from memnets.lm import model as lm_model
from memnets.tasks import text
from memnets.word2vec import vectors


def _smoke(**task):
  config = lm_grammar.get_config("smoke")
  config.train.steps = 40
  config.train.eval_every = 20
  for key, value in task.items():
    config.task[key] = value
  return config


@pytest.fixture(scope="module")
def grammar_run(tmp_path_factory):
  workdir = tmp_path_factory.mktemp("lm")
  config = _smoke()
  return config, workdir, lm_run.run(config, workdir)


def test_smoke_run_on_the_grammar_lowers_the_held_out_perplexity(grammar_run):
  config, workdir, summary = grammar_run
  assert runners.find(config) is lm_run.run
  history = [json.loads(line) for line in (workdir / "metrics.jsonl").read_text().splitlines()]
  assert history[-1]["valid_perplexity"] < 0.8 * summary["vocabulary_size"]  # well below uniform
  assert history[-1]["valid_perplexity"] < history[0]["valid_perplexity"]
  assert summary["best_valid_perplexity"] == min(r["valid_perplexity"] for r in history)
  assert summary["grammar_valid_perplexity"] < summary["best_valid_perplexity"]
  assert summary["grammar_valid_perplexity"] == lm_run.grammar_valid_perplexity(config.task)
  assert len(summary["samples"]) == config.task.num_samples
  assert json.loads((workdir / "summary.json").read_text()) == summary
  with pytest.raises(FileExistsError, match="summary.json"):
    lm_run.run(config, workdir)


def test_restore_gives_back_the_best_models_held_out_perplexity(grammar_run):
  config, workdir, summary = grammar_run
  restored = lm_run.restore(workdir)
  lines = text.read_lines(workdir / lm_run.CORPUS)
  held_out = lines[-round(len(lines) * config.task.valid_fraction) :]
  ids = np.concatenate(
    [[restored.vocabulary.id(text.EOS)], text.stream(held_out, restored.vocabulary)]
  )
  data = lm_model.columns(ids, config.train.eval_columns, config.train.window)
  perplexity = lm_model.perplexity(restored.model, data, config.train.window)
  assert perplexity == pytest.approx(summary["best_valid_perplexity"], rel=1e-4)
  with pytest.raises(FileNotFoundError, match="no finished language-model run"):
    lm_run.restore(workdir / "elsewhere")


def test_the_query_binary_scores_sentences_as_the_model_does(grammar_run, binaries):
  _, workdir, _ = grammar_run
  run = binaries.run(
    "experiments.lm_query", f"--workdir={workdir}", "--sentence=The dog runs", "--samples=2"
  )
  assert run.returncode == 0, run.stderr
  restored = lm_run.restore(workdir)
  ids = jnp.asarray(restored.vocabulary.encode(["the", "dog", "runs"])[None])
  (score,) = lm_model.sentence_log_probs(
    restored.model, ids, jnp.asarray([3]), restored.vocabulary.id(text.EOS)
  )
  lines = run.stdout.strip().splitlines()
  assert lines[0].startswith(f"{float(score):.3f} nats") and lines[0].endswith("The dog runs")
  assert len(lines) == 3


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


def test_word2vec_vectors_start_the_embedding(tmp_path):
  path = tmp_path / "vectors.txt"
  vectors.save(path, ["dog", "runs"], np.array([[1, 2, 3, 4], [5, 6, 7, 8]], np.float32))
  config = _smoke()
  config.model.embedding_size = 4
  config.model.embeddings_path = str(path)
  config.optimizer.learning_rate = 0.0  # the embedding stays as it started
  lm_run.run(config, tmp_path / "run")
  restored = lm_run.restore(tmp_path / "run")
  kernel = np.asarray(restored.model.readout.embed.kernel[...])
  np.testing.assert_array_equal(kernel[restored.vocabulary.id("runs")], [5, 6, 7, 8])
  np.testing.assert_array_equal(kernel[restored.vocabulary.id("dog")], [1, 2, 3, 4])
  config.model.embedding_size = 0
  with pytest.raises(ValueError, match="model.embeddings_path"):
    lm_run.run(config, tmp_path / "bad")
