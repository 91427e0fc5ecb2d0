"""`experiments.word2vec_run` on the `:smoke` grammar corpus: its files, its summary, its loss."""

import json

import pytest

from experiments import runners, word2vec_run
from experiments.configs import word2vec_grammar
from memnets.word2vec import vectors


def test_smoke_run_writes_its_files_and_its_loss_falls(tmp_path):
  config = word2vec_grammar.get_config("smoke")
  assert runners.find(config) is word2vec_run.run
  summary = word2vec_run.run(config, tmp_path)
  assert summary["final_loss"] < summary["initial_loss"]
  rows = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
  assert [r["epoch"] for r in rows] == [0, 1] and rows[-1]["step"] == summary["steps"]
  loaded = vectors.load(tmp_path / "embeddings.txt")
  assert len(loaded.words) == summary["vocab_size"] and loaded.vectors.shape[1] == config.model.dim
  assert json.loads((tmp_path / "summary.json").read_text())["categories"] >= 2
  assert 0.0 <= summary["nearest_same_category"] <= 1.0
  with pytest.raises(FileExistsError, match="summary.json"):
    word2vec_run.run(config, tmp_path)
