"""Tests of memnets.tasks.babi.world: the simulated world behind the bAbI generator.

A scripted stand-in for the random generator fixes every choice the world makes
(`integers(n)` picks an index, `random()` a coin), so a short story can be
checked line by line against its state and the supporting facts it reports.
"""

import numpy as np
import pytest

from memnets.tasks.babi import world as babi_world

NUM_RANDOM_ACTIONS = 300
MOVE_PROBABILITY = 0.5
OBJECT_PROBABILITY = 0.5
MOVE_VERB_WORDS = ("moved", "went", "journeyed", "travelled")
# The scripted story's random choices, in the order the world asks for them: per
# move the location (an index among the locations other than the current one)
# then the verb (a pronoun move asks for its verb and phrase first); per take or
# drop the verb. Coins decide " there" on takes and drops (below 0.5: added).
SCRIPT_PICKS = (4, 1, 0, 2, 3, 4, 0, 0, 4, 2, 1, 1, 1, 3, 4, 2, 1, 0, 0)
SCRIPT_COINS = (0.1, 0.9, 0.5, 0.2)


class ScriptedRng:
  """Answers `integers(n)` and `random()` from fixed lists, checking each pick is in range."""

  def __init__(self, picks, coins=()):
    self.picks = list(picks)
    self.coins = list(coins)

  def integers(self, n):
    pick = self.picks.pop(0)
    assert 0 <= pick < n
    return pick

  def random(self):
    return self.coins.pop(0)


def _scripted_story():
  """Mary carries the apple kitchen → garden → office and drops it; John takes it on.

  Returns the world and the line numbers of its actions, by name.
  """
  rng = ScriptedRng(SCRIPT_PICKS, SCRIPT_COINS)
  w = babi_world.World(rng)
  lines = {}
  lines["mary_kitchen"] = w.move("Mary")  # all 6 allowed: [4] kitchen; "went to"
  lines["mary_apple"] = w.grab("Mary", "apple")  # "got"; " there"
  lines["mary_garden"] = w.move("Mary")  # kitchen excluded: [2] garden; "journeyed to"
  lines["mary_office"] = w.move("Mary")  # garden excluded: [4] office; "moved to"
  lines["john_bathroom"] = w.move("John")  # [0] bathroom; "travelled to"
  lines["mary_drops"] = w.drop_object("Mary", "apple")  # "put down"; no " there"
  lines["mary_bedroom"] = w.move_with_pronoun("Mary")  # "went to"; "After that"; [1] bedroom
  lines["john_football"] = w.grab("John", "football")  # "took"; 0.5 is not below 0.5
  lines["john_office"] = w.move("John")  # bathroom excluded: [4] office; "went back to"
  lines["john_apple"] = w.grab("John", "apple")  # "grabbed"; " there"
  lines["john_bathroom_again"] = w.move("John")  # office excluded: [0] bathroom; "moved to"
  assert not rng.picks and not rng.coins  # every random choice is accounted for
  return w, lines


def test_scripted_story_text():
  w, _ = _scripted_story()
  assert [line.text for line in w.lines] == [
    "Mary went to the kitchen.",
    "Mary got the apple there.",
    "Mary journeyed to the garden.",
    "Mary moved to the office.",
    "John travelled to the bathroom.",
    "Mary put down the apple.",
    "After that she went to the bedroom.",
    "John took the football.",
    "John went back to the office.",
    "John grabbed the apple there.",
    "John moved to the bathroom.",
  ]
  assert all(not line.is_question for line in w.lines)
  assert w.num_questions == 0


def test_scripted_story_state():
  w, lines = _scripted_story()
  assert w.location == {"Mary": "bedroom", "John": "bathroom"}
  assert w.last_move == {"Mary": lines["mary_bedroom"], "John": lines["john_bathroom_again"]}
  assert w.placed_people() == ["Mary", "John"]
  assert w.holder == {"apple": "John", "football": "John"}
  assert w.held_by("John") == ["apple", "football"]
  assert w.held_by("Mary") == []
  assert w.grab_line == {"apple": lines["john_apple"], "football": lines["john_football"]}
  assert w.drop == {}  # the apple's drop is forgotten once it is taken again
  assert w.visits["apple"] == [
    babi_world.Visit("kitchen", None, None),
    babi_world.Visit("garden", lines["mary_apple"], lines["mary_garden"]),
    babi_world.Visit("office", lines["mary_apple"], lines["mary_office"]),
    babi_world.Visit("bathroom", lines["john_apple"], lines["john_bathroom_again"]),
  ]
  assert w.visits["football"] == [
    babi_world.Visit("bathroom", None, None),
    babi_world.Visit("office", lines["john_football"], lines["john_office"]),
    babi_world.Visit("bathroom", lines["john_football"], lines["john_bathroom_again"]),
  ]
  assert w.visits["milk"] == []


def test_scripted_story_supports_step_by_step():
  """Replays the story, asking the world after each line what it can answer."""
  rng = ScriptedRng(SCRIPT_PICKS, SCRIPT_COINS)
  w = babi_world.World(rng)
  w.move("Mary")  # 1: kitchen
  assert w.object_location_support("apple") is None  # never seen
  assert w.grabbable("Mary") == ["apple", "football", "milk"]  # unseen objects are anywhere
  w.grab("Mary", "apple")  # 2
  assert w.object_location_support("apple") == ("kitchen", (2, 1))
  assert w.previous_location_support("apple") is None  # one place only
  w.move("Mary")  # 3: garden
  assert w.object_location_support("apple") == ("garden", (2, 3))
  assert w.previous_location_support("apple") is None  # first seen, not carried, in the kitchen
  w.move("Mary")  # 4: office
  assert w.object_location_support("apple") == ("office", (2, 4))
  assert w.previous_location_support("apple") == ("office", "garden", (2, 3, 4))
  w.move("John")  # 5: bathroom
  w.drop_object("Mary", "apple")  # 6
  assert w.object_location_support("apple") == ("office", (6, 4))  # the drop, and how she got there
  assert w.previous_location_support("apple") == ("office", "garden", (2, 3, 4))
  assert w.grabbable("John") == ["football", "milk"]  # the apple lies in the office
  assert w.grabbable("Mary") == ["apple", "football", "milk"]
  w.move_with_pronoun("Mary")  # 7: bedroom
  assert w.object_location_support("apple") == ("office", (6, 4))  # a dropped object stays
  w.grab("John", "football")  # 8
  assert w.object_location_support("football") == ("bathroom", (8, 5))
  w.move("John")  # 9: office
  assert w.grabbable("John") == ["apple", "milk"]
  assert w.previous_location_support("football") is None  # first sighting, not a carried move
  w.grab("John", "apple")  # 10
  assert w.object_location_support("apple") == ("office", (10, 9))
  w.move("John")  # 11: bathroom
  assert w.object_location_support("apple") == ("bathroom", (10, 11))
  assert w.object_location_support("football") == ("bathroom", (8, 11))
  # The apple's last two arrivals came under different takes: not a three-fact question.
  assert w.previous_location_support("apple") is None
  assert w.previous_location_support("football") == ("bathroom", "office", (8, 9, 11))
  question = w.ask("Where is the apple?", "bathroom", (10, 11))
  assert question == 12
  assert w.lines[-1] == babi_world.Line("Where is the apple?", ("bathroom",), (10, 11))
  assert w.lines[-1].is_question
  assert w.num_questions == 1


def test_move_never_stays_put_and_carries_what_is_held():
  w = babi_world.World(np.random.default_rng(0))
  w.move("Sandra")
  w.grab("Sandra", "milk")
  for _ in range(30):
    here = w.location["Sandra"]
    line = w.move("Sandra")
    assert w.location["Sandra"] != here
    assert w.lines[line - 1].text.endswith(f" the {w.location['Sandra']}.")
    assert w.visits["milk"][-1].location == w.location["Sandra"]
    assert w.visits["milk"][-1].move == line


def test_pronouns_follow_the_person():
  w = babi_world.World(np.random.default_rng(1))
  for person in babi_world.PEOPLE:
    w.move(person)
    text = w.lines[w.move_with_pronoun(person) - 1].text
    pronoun = "she" if person in babi_world.FEMALE else "he"
    assert f" {pronoun} " in text
    assert text.startswith(babi_world.THEN_PHRASES)
    assert text.endswith(f" the {w.location[person]}.")


def _random_world(seed):
  w = babi_world.World(np.random.default_rng(seed))
  for _ in range(NUM_RANDOM_ACTIONS):
    w.random_action(MOVE_PROBABILITY, OBJECT_PROBABILITY)
  return w


def test_random_actions_are_deterministic_for_a_seed():
  texts = [line.text for line in _random_world(7).lines]
  assert texts == [line.text for line in _random_world(7).lines]
  assert texts != [line.text for line in _random_world(8).lines]
  assert len(texts) == NUM_RANDOM_ACTIONS


def _moved_to(line):
  """The location a move sentence ends at, or None for a take or a drop."""
  words = line.text.rstrip(".").split()
  if not any(verb in words for verb in MOVE_VERB_WORDS):
    return None
  return words[-1]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_actions_keep_reported_facts_consistent_with_the_state(seed):
  w = babi_world.World(np.random.default_rng(seed))
  moved = set()
  for _ in range(NUM_RANDOM_ACTIONS):
    line_number = w.random_action(MOVE_PROBABILITY, OBJECT_PROBABILITY)
    line = w.lines[line_number - 1]
    person = line.text.split()[0]
    if _moved_to(line) is None:
      assert person in moved  # nobody takes or drops before their location is known
    else:
      moved.add(person)
      assert _moved_to(line) == w.location[person]
    for obj in babi_world.OBJECTS:
      if obj in w.holder:  # a held object is where its holder is
        assert w.visits[obj][-1].location == w.location[w.holder[obj]]
      support = w.object_location_support(obj)
      if support is None:
        assert not w.visits[obj]  # only never-seen objects are unknown
        continue
      location, (take_or_drop, move) = support
      assert move < take_or_drop <= line_number or take_or_drop < move <= line_number
      fact = w.lines[take_or_drop - 1].text
      assert f" the {obj}" in fact
      actor = fact.split()[0]
      assert _moved_to(w.lines[move - 1]) == location  # the move ends where the object is
      assert w.lines[move - 1].text.split()[0] == actor  # and is the same person's
      previous = w.previous_location_support(obj)
      if previous is not None:
        current, before, (take, first_move, second_move) = previous
        assert current == w.visits[obj][-1].location
        assert current != before
        assert take < first_move < second_move
        assert _moved_to(w.lines[first_move - 1]) == before
        assert _moved_to(w.lines[second_move - 1]) == current
        assert f" the {obj}" in w.lines[take - 1].text
  assert not w.num_questions
