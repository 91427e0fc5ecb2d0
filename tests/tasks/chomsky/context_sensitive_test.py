"""Known answers of the string-rearranging context-sensitive Chomsky tasks.

The layout, determinism and reference-answer checks of every task are in
chomsky_tasks_test.
"""

from helpers import chomsky_cases as cases

from memnets.tasks.chomsky import context_sensitive, encoding


def test_missing_duplicate_inputs_are_a_doubled_string_with_one_hole():
  _, batch = cases.batch("missing_duplicate_string", seed=6)
  for example in encoding.decode(batch):
    tokens = example.inputs
    if len(tokens) == 1:
      assert tokens == [1]
      continue
    half = len(tokens) // 2
    doubled = tokens[: 2 * half]
    assert doubled.count(context_sensitive.PLACEHOLDER) == 1
    assert tokens[2 * half :] == [context_sensitive.PADDING] * (len(tokens) % 2)
    filled = [example.scored[0] if t == context_sensitive.PLACEHOLDER else t for t in doubled]
    assert filled[:half] == filled[half:]


def test_odds_first_paper_examples():
  # 1-based odd positions first: 00110101 -> 0100 0111, 110 -> 10 1.
  odds_first = cases.SCORED["odds_first"]
  assert odds_first([0, 0, 1, 1, 0, 1, 0, 1]) == [0, 1, 0, 0, 0, 1, 1, 1]
  assert odds_first([1, 1, 0]) == [1, 0, 1]


def test_bucket_sort_uses_five_symbols():
  task, batch = cases.batch("bucket_sort", seed=7)
  assert task.input_vocab_size == task.output_size == 5
  tokens = [t for e in encoding.decode(batch) for t in e.inputs]
  assert set(tokens) == set(range(5))
