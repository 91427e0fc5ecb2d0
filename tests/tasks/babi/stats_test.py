"""bAbI summary statistics and the generator-vs-release comparison binary."""

import pytest
from conftest import Binaries

from memnets.tasks import babi
from memnets.tasks.babi import generate, stats

TEXT = """1 Mary moved to the bathroom.
2 John got the milk there.
3 John went to the hallway.
4 Where is the milk?\thallway\t2 3
5 Mary dropped the apple.
6 Where is Mary?\tbathroom\t1
"""


def test_statistics_count_back_from_the_question():
  values = stats.statistics(babi.parse(TEXT))
  assert values["questions"] == 2 and values["statements"] == pytest.approx(3.5)
  assert values["supports"] == pytest.approx(1.5)
  # Question 1: supports at rows 1 and 2 of 3 -> latest 1, earliest 2; question 2: row 0 of 4 -> 4.
  assert values["latest_support"] == pytest.approx(2.5)
  assert values["earliest_support"] == pytest.approx(3.0)
  # In memory: 3 statements at question 1 and 4 at question 2: moved and went (4), got (2), dropped.
  assert (values["moves"], values["takes"], values["drops"]) == pytest.approx((4 / 7, 2 / 7, 1 / 7))
  assert values["top_answer"] == 0.5 and values["answers"] == 2
  with pytest.raises(ValueError, match="no examples"):
    stats.statistics([])


def test_the_binary_prints_a_release_and_a_generator_line_per_task(tmp_path):
  generate.write_dataset(tmp_path, [1], ["en"], seed=3)
  run = Binaries().run("experiments.compare_babi", f"--data_dir={tmp_path / 'en'}", "--tasks=1")
  assert run.returncode == 0, run.stderr[-2000:]
  assert "| 1 | release | 1000 |" in run.stdout and "| 1 | generator | 1000 |" in run.stdout
  missing = Binaries().run("experiments.compare_babi", f"--data_dir={tmp_path / 'en'}", "--tasks=2")
  assert missing.returncode != 0 and "no train file of bAbI task 2" in missing.stderr
