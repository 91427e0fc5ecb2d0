"""A bAbI run's saved parameters restored, and the attention figure of one test story."""

import numpy as np
import pytest
from conftest import Binaries

from experiments import babi_run
from experiments.configs import memn2n_babi, ntm_babi
from memnets.figures import babi as figures_babi
from memnets.qa import training


@pytest.fixture(scope="module")
def memn2n_run(tmp_path_factory):
  workdir = tmp_path_factory.mktemp("memn2n")
  summary = babi_run.run(memn2n_babi.get_config("smoke"), workdir)
  return workdir, summary


def test_the_restored_model_scores_the_test_set_as_the_run_did(memn2n_run):
  workdir, summary = memn2n_run
  run = babi_run.restore(workdir)
  test = run.data.splits["test"]
  softmax = summary["tested_with_softmax"]  # False: one epoch, the linear start not over
  logits = run.model(test.stories, test.questions, test.story_lengths, softmax=softmax)
  error = 100.0 * float(np.mean(np.argmax(logits, -1) != test.answers))
  assert error == pytest.approx(summary["test_error_percent"]["1"], abs=1e-4)
  with pytest.raises(FileNotFoundError, match="params: no finished bAbI run"):
    (workdir / "copy").mkdir()
    for name in ("config.json", "summary.json"):
      (workdir / "copy" / name).write_text((workdir / name).read_text())
    babi_run.restore(workdir / "copy")


def test_the_binary_draws_a_storys_attention_hop_by_hop(memn2n_run):
  workdir, _ = memn2n_run
  run = Binaries().run("experiments.visualize", f"--workdir={workdir}", "--index=3")
  assert run.returncode == 0, run.stderr
  png = workdir / "figures" / babi_run.ATTENTION_PNG
  assert run.stdout.strip().endswith(str(png)) and png.read_bytes()[:4] == b"\x89PNG"
  with pytest.raises(ValueError, match="--index: 100000 is not a test question"):
    babi_run.write_attention(workdir, 100000)


def test_a_reader_has_no_attention_to_draw(tmp_path):
  (tmp_path / "config.json").write_text(ntm_babi.get_config("smoke").to_json())
  with pytest.raises(ValueError, match="config.json: a ntm reads the story word by word"):
    babi_run.write_attention(tmp_path)


def test_the_figure_checks_the_story_against_the_attention(tmp_path):
  path = figures_babi.plot_attention(
    tmp_path / "a.png", ["mary went to the kitchen .", "john moved ."], np.array([[0.9, 0.1]]),
    question="where is mary ?", answer="kitchen", predicted="kitchen", supporting=(0,),
  )  # fmt: skip
  assert path.exists()
  with pytest.raises(ValueError, match="attention has 2 sentences, the story 1"):
    figures_babi.plot_attention(tmp_path / "b.png", ["one ."], np.ones((3, 2)), question="q",
                                answer="a", predicted="a")  # fmt: skip
  assert training.FAILED_ABOVE == 5.0
