"""Tests of the offline bAbI generator (memnets/tasks/babi/generate.py, world.py)."""

import numpy as np
import pytest

from memnets.tasks import babi
from memnets.tasks.babi import generate

TASKS = (1, 2, 3, 6, 11, 15)
SMALL = {"train": 23, "test": 12}  # 23: the last story holds a remainder
SUPPORTS_PER_QUESTION = {1: 1, 2: 2, 3: 3, 6: 1, 11: 2, 15: 2}
MOVE_WORDS = {"moved", "went", "journeyed", "travelled"}
GRAB_WORDS = {"got", "grabbed", "picked", "took"}
DROP_WORDS = {"dropped", "discarded", "put", "left"}
THEN_WORDS = {"then", "after", "following", "afterwards"}


@pytest.fixture(name="written", scope="module")
def _written(tmp_path_factory):
  out = tmp_path_factory.mktemp("babi")
  paths = generate.write_dataset(out, TASKS, seed=3, num_questions=SMALL)
  return out, paths


def _replay(story):
  """Locations of people and objects after `story`, read from the text alone.

  Returns (person -> location, object -> location, object -> list of the
  locations it arrived at, in order).
  """
  person_at, holder, lying_at, visits = {}, {}, {}, {}
  last_person = None
  for sentence in story:
    words = sentence[:-1]  # drop the final "."
    if words[0] in THEN_WORDS:
      person = last_person
    else:
      person = last_person = words[0]
    verb = next(w for w in words if w in MOVE_WORDS | GRAB_WORDS | DROP_WORDS)
    obj = words[words.index("the") + 1]
    if verb in MOVE_WORDS:
      person_at[person] = obj
      for thing, who in holder.items():
        if who == person:
          visits[thing].append(obj)
    elif verb in GRAB_WORDS:
      holder[obj] = person
      lying_at.pop(obj, None)
      visits.setdefault(obj, [person_at[person]])
    else:
      del holder[obj]
      lying_at[obj] = person_at[person]
  where = {thing: person_at[who] for thing, who in holder.items()} | lying_at
  return person_at, where, visits


def _sentence(example, line):
  return example.story[example.line_numbers.index(line)]


def test_release_sizes_and_file_names(tmp_path):
  assert generate.SPLIT_SIZES == {
    "en": {"train": 1000, "test": 1000},
    "en-10k": {"train": 10000, "test": 1000},
  }
  assert generate.file_path(tmp_path, "en-10k", 3, "test") == (
    tmp_path / "en-10k" / "qa3_three-supporting-facts_test.txt"
  )
  assert generate.file_path(tmp_path, "en", 11, "train").name == "qa11_basic-coreference_train.txt"


def test_round_trip_counts_and_supports(written):
  out, paths = written
  assert len(paths) == len(TASKS) * 2 * 2
  expected_names = {
    f"{generate.TASK_FILE_STEMS[t]}_{split}.txt" for t in TASKS for split in ("train", "test")
  }
  for set_name in ("en", "en-10k"):
    assert {p.name for p in (out / set_name).iterdir()} == expected_names
  for path in paths:
    task = next(t for t in TASKS if path.name.startswith(generate.TASK_FILE_STEMS[t] + "_"))
    split = "train" if path.name.endswith("_train.txt") else "test"
    examples = babi.parse(path)
    assert len(examples) == SMALL[split]
    for example in examples:
      assert len(example.supporting) == SUPPORTS_PER_QUESTION[task]
      assert set(example.supporting) <= set(example.line_numbers)  # statements, not questions
      assert len(example.answer) == 1


def test_task1_answer_is_the_location_of_the_supporting_fact(written):
  out, _ = written
  for example in babi.parse(out / "en" / "qa1_single-supporting-fact_train.txt"):
    person = example.question[2]
    (fact,) = [_sentence(example, line) for line in example.supporting]
    assert fact[0] == person
    assert fact[-2] == example.answer[0]  # "... to the <location> ."
    # ... and it is the person's latest move.
    later = example.line_numbers[example.line_numbers.index(example.supporting[0]) + 1 :]
    assert all(_sentence(example, line)[0] != person for line in later)
    assert _replay(example.story)[0][person] == example.answer[0]


def test_answers_agree_with_an_independent_replay(written):
  out, _ = written
  for task in (1, 2, 3, 6, 11):
    path = generate.file_path(out, "en", task, "train")
    for example in babi.parse(path):
      person_at, object_at, visits = _replay(example.story)
      q = example.question
      if task in (1, 11):  # where is mary ?
        assert example.answer == [person_at[q[2]]]
      elif task == 6:  # is mary in the kitchen ?
        assert example.answer == ["yes" if person_at[q[1]] == q[4] else "no"]
      elif task == 2:  # where is the apple ?
        assert example.answer == [object_at[q[3]]]
      else:  # where was the apple before the kitchen ?
        seen = visits[q[3]]
        assert seen[-1] == q[6]
        befores = {seen[i - 1] for i in range(1, len(seen)) if seen[i] == q[6]}
        assert befores == {example.answer[0]}


def test_task11_supports_are_the_named_and_the_pronoun_sentence(written):
  out, _ = written
  for example in babi.parse(out / "en" / "qa11_basic-coreference_test.txt"):
    named, pronoun = (_sentence(example, line) for line in example.supporting)
    assert named[0] == example.question[2]
    assert pronoun[0] in THEN_WORDS and {"he", "she"} & set(pronoun)
    assert pronoun[-2] == example.answer[0]


def test_task15_deduction(written):
  out, _ = written
  singular = {"mice": "mouse", "sheep": "sheep", "wolves": "wolf", "cats": "cat"}
  for example in babi.parse(out / "en-10k" / "qa15_basic-deduction_train.txt"):
    assert len(example.story) == 8
    isa, fear = (_sentence(example, line) for line in example.supporting)
    assert isa[:3] == [example.question[2], "is", "a"]  # "emily is a cat ."
    assert fear[1:4] == ["are", "afraid", "of"]  # "cats are afraid of wolves ."
    assert singular[fear[0]] == isa[3]
    assert example.answer == [singular[fear[4]]]


def test_story_shapes_match_the_release():
  rng = np.random.default_rng(0)
  stories = generate.generate_task(1, 12, rng)
  assert [len(s) for s in stories] == [15, 15, 6]  # 5 + 5 + 2 questions
  assert [line.is_question for line in stories[0]] == [False, False, True] * 5
  for task in TASKS:
    for story in generate.generate_task(task, 30, rng):
      assert story[-1].is_question
      assert sum(line.is_question for line in story) <= generate.QUESTIONS_PER_STORY[task]


def test_deterministic_for_a_seed():
  for task in TASKS:
    first = generate.generate_file_text(7, task, "en", "train", num_questions=20)
    again = generate.generate_file_text(7, task, "en", "train", num_questions=20)
    other = generate.generate_file_text(8, task, "en", "train", num_questions=20)
    test_split = generate.generate_file_text(7, task, "en", "test", num_questions=20)
    assert first == again
    assert first != other
    assert first != test_split


def test_invalid_arguments(tmp_path):
  with pytest.raises(ValueError, match="task"):
    generate.generate_task(4, 5, np.random.default_rng(0))
  with pytest.raises(ValueError, match="set"):
    generate.write_dataset(tmp_path, [1], sets=["hn"])
  assert not any(tmp_path.iterdir())


def test_write_refuses_to_overwrite(tmp_path):
  existing = generate.file_path(tmp_path, "en", 6, "test")
  existing.parent.mkdir(parents=True)
  existing.write_text("sentinel", encoding="utf-8")
  with pytest.raises(FileExistsError, match=str(existing)):
    generate.write_dataset(tmp_path, [1, 6], sets=["en"], num_questions=SMALL)
  assert existing.read_text(encoding="utf-8") == "sentinel"
  assert [p.name for p in existing.parent.iterdir()] == [existing.name]  # nothing written
  generate.write_dataset(tmp_path, [1, 6], sets=["en"], num_questions=SMALL, overwrite=True)
  assert len(babi.parse(existing)) == SMALL["test"]
