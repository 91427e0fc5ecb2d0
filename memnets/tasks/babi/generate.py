"""Offline generator of bAbI tasks 1, 2, 3, 6, 11 and 15 (Weston et al. 2015).

Writes stories in the exact text format of the released files (see
`parse.py`), from a simulated world (`world.py`) or, for task 15, a small
taxonomy of animals, so every answer and supporting fact is correct by
construction. Randomness is a `numpy.random.Generator` seeded from
(seed, task, set, split): this is offline data, not a jit-able sampler.

What is matched to the released tasks (§3 of the paper and the `en` files):
- 1 single supporting fact: actors move; after every 2 statements "Where is
  P?", supported by P's latest move. 5 questions per story (15 lines).
- 2 two supporting facts: actors also take and drop objects; "Where is the
  O?" after at least 2-8 statements, once some object's place follows from
  two facts (the take or drop, and the actor's move). 5 questions per story.
- 3 three supporting facts: "Where was the O before the L?" after at least
  5-20 statements, once an object was carried through two locations under one
  take (the take and the two moves). Asked only when every arrival of the
  object at L came from the same place, so the answer is unambiguous. 5 questions per story; stories are
  the longest of the six, as in the release.
- 6 yes/no questions: like task 1 with some take/drop distractors; "Is P in
  the L?", "yes" for half the questions. 5 questions per story.
- 11 basic coreference: pairs "P moved to the L1. Then she went to the L2."
  then "Where is P?" about any placed actor, supported by the pair that placed
  them. 5 questions per story (15 lines).
- 15 basic deduction: 4 "Xs are afraid of Ys." facts (one per animal type, never
  itself) and 4 "N is a X." facts in random order, then 4 questions "What is n
  afraid of?" (name lower-cased, as in the release).

Split sizes are those of the release: `en` has 1,000 training and 1,000 test
questions per task, `en-10k` 10,000 training and 1,000 test questions.

What is not matched: the release asks about more recent facts and mixes in
more object actions; `python -m experiments.compare_babi` measures both
against a release folder (docs/babi.md has the table). Use the release for
numbers comparable with the papers'.
"""

import pathlib

import numpy as np

from memnets.tasks.babi import world as babi_world

TASK_FILE_STEMS = {
  1: "qa1_single-supporting-fact",
  2: "qa2_two-supporting-facts",
  3: "qa3_three-supporting-facts",
  6: "qa6_yes-no-questions",
  11: "qa11_basic-coreference",
  15: "qa15_basic-deduction",
}
SETS = ("en", "en-10k")
SPLITS = ("train", "test")
SPLIT_SIZES = {
  "en": {"train": 1_000, "test": 1_000},
  "en-10k": {"train": 10_000, "test": 1_000},
}

QUESTIONS_PER_STORY = {1: 5, 2: 5, 3: 5, 6: 5, 11: 5, 15: 4}
STATEMENTS_PER_QUESTION = 2  # tasks 1, 6 and 11 (a pair of statements in 11)
TASK2_MIN_GAP = (2, 8)  # closed range of statements before each task 2 question
TASK3_MIN_GAP = (5, 20)  # same for task 3
# Tasks 2 and 3: a story whose next question is still not answerable after this
# many statements ends at its last question (in task 3 every location can come
# to be ambiguous), and the next story goes on with the remaining questions.
MAX_STATEMENTS_PER_QUESTION = 60
OBJECT_PROBABILITY = 0.5  # tasks 2 and 3: chance that a non-move statement is a take/drop
MOVE_PROBABILITY = 0.5  # tasks 2 and 3: chance that a statement is a move
TASK6_OBJECT_PROBABILITY = 0.2
YES_PROBABILITY = 0.5

ANIMALS = {"mouse": "mice", "sheep": "sheep", "wolf": "wolves", "cat": "cats"}
ANIMAL_NAMES = ("Gertrude", "Winona", "Jessica", "Emily")


def _story_task1(w: babi_world.World, num_questions: int) -> None:
  for _ in range(num_questions):
    for _ in range(STATEMENTS_PER_QUESTION):
      w.move(w.choice(babi_world.PEOPLE))
    person = w.choice(w.placed_people())
    w.ask(f"Where is {person}?", w.location[person], [w.last_move[person]])


def _story_task6(w: babi_world.World, num_questions: int) -> None:
  for _ in range(num_questions):
    for _ in range(STATEMENTS_PER_QUESTION):
      w.random_action(move_probability=1 - TASK6_OBJECT_PROBABILITY, object_probability=1.0)
    person = w.choice(w.placed_people())
    here = w.location[person]
    if w.rng.random() < YES_PROBABILITY:
      location, answer = here, "yes"
    else:
      location, answer = w.choice([loc for loc in babi_world.LOCATIONS if loc != here]), "no"
    w.ask(f"Is {person} in the {location}?", answer, [w.last_move[person]])


def _story_task11(w: babi_world.World, num_questions: int) -> None:
  pair_of = {}  # person -> (named line, pronoun line) that placed them
  for _ in range(num_questions):
    person = w.choice(babi_world.PEOPLE)
    named = w.move(person)
    pair_of[person] = (named, w.move_with_pronoun(person))
    asked = w.choice(w.placed_people())
    w.ask(f"Where is {asked}?", w.location[asked], pair_of[asked])


def _until_answerable(w: babi_world.World, min_gap: tuple[int, int], find):
  """Adds random statements (at least a number drawn from `min_gap`) until
  `find()` returns a non-empty list of candidate questions; returns one, or
  None after `MAX_STATEMENTS_PER_QUESTION` statements."""
  gap = int(w.rng.integers(min_gap[0], min_gap[1] + 1))
  for count in range(1, MAX_STATEMENTS_PER_QUESTION + 1):
    w.random_action(MOVE_PROBABILITY, OBJECT_PROBABILITY)
    if count >= gap:
      candidates = find()
      if candidates:
        return w.choice(candidates)
  return None


def _story_task2(w: babi_world.World, num_questions: int) -> None:
  def find():
    found = []
    for obj in babi_world.OBJECTS:
      support = w.object_location_support(obj)
      if support is not None:
        found.append((obj, *support))
    return found

  for _ in range(num_questions):
    found = _until_answerable(w, TASK2_MIN_GAP, find)
    if found is None:
      return
    obj, location, supporting = found
    w.ask(f"Where is the {obj}?", location, supporting)


def _story_task3(w: babi_world.World, num_questions: int) -> None:
  def find():
    found = []
    for obj in babi_world.OBJECTS:
      support = w.previous_location_support(obj)
      if support is None:
        continue
      here, before = support[0], support[1]
      visits = w.visits[obj]
      earlier = {
        visits[i - 1].location for i in range(1, len(visits)) if visits[i].location == here
      }
      if earlier == {before}:
        found.append((obj, *support))
    return found

  for _ in range(num_questions):
    found = _until_answerable(w, TASK3_MIN_GAP, find)
    if found is None:
      return
    obj, here, before, supporting = found
    w.ask(f"Where was the {obj} before the {here}?", before, supporting)


def _story_task15(w: babi_world.World, num_questions: int) -> None:
  kinds = list(ANIMALS)
  fears = {kind: w.choice([other for other in kinds if other != kind]) for kind in kinds}
  kind_of = {name: w.choice(kinds) for name in ANIMAL_NAMES}
  facts = [("fear", kind) for kind in kinds] + [("isa", name) for name in ANIMAL_NAMES]
  fear_line, isa_line = {}, {}
  for index in w.rng.permutation(len(facts)):
    what, key = facts[int(index)]
    if what == "fear":
      text = f"{ANIMALS[key].capitalize()} are afraid of {ANIMALS[fears[key]]}."
      fear_line[key] = w.add(babi_world.Line(text))
    else:
      isa_line[key] = w.add(babi_world.Line(f"{key} is a {kind_of[key]}."))
  for _ in range(num_questions):
    name = w.choice(ANIMAL_NAMES)
    kind = kind_of[name]
    w.ask(f"What is {name.lower()} afraid of?", fears[kind], [isa_line[name], fear_line[kind]])


_STORY_WRITERS = {
  1: _story_task1,
  2: _story_task2,
  3: _story_task3,
  6: _story_task6,
  11: _story_task11,
  15: _story_task15,
}


def generate_task(
  task: int, num_questions: int, rng: np.random.Generator
) -> list[list[babi_world.Line]]:
  """Stories of bAbI task `task` holding `num_questions` questions in all.

  Every story has `QUESTIONS_PER_STORY[task]` questions, except the last (the
  remainder) and, in tasks 2 and 3, a story cut short at its last question when
  no further question became answerable (see `MAX_STATEMENTS_PER_QUESTION`).
  Every story ends with a question.

  Returns:
    A list of stories, each a list of `Line`s (numbered from 1 when written).
  """
  if task not in _STORY_WRITERS:
    raise ValueError(f"task must be one of {sorted(_STORY_WRITERS)}, got {task}")
  if num_questions < 0:
    raise ValueError(f"num_questions must be >= 0, got {num_questions}")
  stories = []
  remaining = num_questions
  while remaining > 0:
    w = babi_world.World(rng)
    _STORY_WRITERS[task](w, min(QUESTIONS_PER_STORY[task], remaining))
    if w.num_questions == 0:
      continue
    last_question = max(i for i, line in enumerate(w.lines) if line.is_question)
    stories.append(w.lines[: last_question + 1])
    remaining -= w.num_questions
  return stories


def format_stories(stories: list[list[babi_world.Line]]) -> str:
  """The bAbI text of `stories`: numbered lines, questions as q TAB a TAB ids."""
  out = []
  for story in stories:
    for number, line in enumerate(story, start=1):
      if line.is_question:
        answer = ",".join(line.answer)
        supporting = " ".join(str(s) for s in line.supporting)
        out.append(f"{number} {line.text}\t{answer}\t{supporting}\n")
      else:
        out.append(f"{number} {line.text}\n")
  return "".join(out)


def split_rng(seed: int, task: int, set_name: str, split: str) -> np.random.Generator:
  """Independent generator for one file, a pure function of its coordinates."""
  entropy = [seed, task, SETS.index(set_name), SPLITS.index(split)]
  return np.random.default_rng(np.random.SeedSequence(entropy))


def file_path(out_dir, set_name: str, task: int, split: str) -> pathlib.Path:
  """`<out_dir>/<set>/qa<N>_<name>_<split>.txt`, the release's naming."""
  return pathlib.Path(out_dir) / set_name / f"{TASK_FILE_STEMS[task]}_{split}.txt"


def generate_file_text(seed: int, task: int, set_name: str, split: str, num_questions=None) -> str:
  """Text of one file; `num_questions` defaults to the release's split size."""
  if num_questions is None:
    num_questions = SPLIT_SIZES[set_name][split]
  rng = split_rng(seed, task, set_name, split)
  return format_stories(generate_task(task, num_questions, rng))


def write_dataset(
  out_dir, tasks, sets=SETS, seed: int = 0, overwrite: bool = False, num_questions=None
) -> list[pathlib.Path]:
  """Writes the train and test files of `tasks` for each of `sets`.

  Args:
    out_dir: root folder; files go to `<out_dir>/<set>/`.
    tasks: task numbers, each a key of `TASK_FILE_STEMS`.
    sets: subset of `SETS`.
    seed: base seed; each file has its own generator (see `split_rng`).
    overwrite: replace existing files; if False, nothing is written when any
      target file exists.
    num_questions: optional {split: count} overriding `SPLIT_SIZES`.

  Returns:
    The paths written.

  Raises:
    FileExistsError: a target exists and `overwrite` is False (names the file).
    ValueError: an unknown task or set.
  """
  for task in tasks:
    if task not in TASK_FILE_STEMS:
      raise ValueError(f"task must be one of {sorted(TASK_FILE_STEMS)}, got {task}")
  for set_name in sets:
    if set_name not in SETS:
      raise ValueError(f"set must be one of {SETS}, got {set_name!r}")
  plan = [(s, t, split) for s in sets for t in tasks for split in SPLITS]
  paths = [file_path(out_dir, *coords) for coords in plan]
  if not overwrite:
    for path in paths:
      if path.exists():
        raise FileExistsError(f"{path} exists; pass overwrite=True (--overwrite) to replace it")
  for (set_name, task, split), path in zip(plan, paths, strict=True):
    count = None if num_questions is None else num_questions[split]
    text = generate_file_text(seed, task, set_name, split, count)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
  return paths
