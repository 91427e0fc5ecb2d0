"""Tests of the Chomsky task registry."""

import pytest

from memnets import tasks
from memnets.tasks import base, chomsky

PAPER_TASKS = {
  "regular": ("even_pairs", "modular_arithmetic", "parity_check", "cycle_navigation"),
  "deterministic context-free": (
    "stack_manipulation",
    "reverse_string",
    "modular_arithmetic_brackets",
    "solve_equation",
  ),
  "context-sensitive": (
    "duplicate_string",
    "missing_duplicate_string",
    "odds_first",
    "binary_addition",
    "binary_multiplication",
    "compute_sqrt",
    "bucket_sort",
  ),
}
ALL_NAMES = [name for names in PAPER_TASKS.values() for name in names]


def test_registry_holds_exactly_the_papers_15_tasks():
  assert len(ALL_NAMES) == 15
  assert sorted(chomsky.TASKS) == sorted(ALL_NAMES)


def test_global_registry_includes_the_suite():
  for name in ALL_NAMES:
    assert tasks.TASKS[name] is chomsky.TASKS[name]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_each_task_follows_the_protocol(name):
  task = chomsky.TASKS[name]()
  assert isinstance(task, base.Task)
  assert task.name == name
  assert task.loss == "categorical"
  assert task.train_lengths == (max(1, task.min_length), 40)
  assert task.test_lengths == tuple(range(41, 501))
  assert task.input_size == task.input_vocab_size + 1
  assert task.output_size >= 2
  # Output phases never shrink with the length, so padding to max_length fits all.
  steps = [task.num_steps(n) for n in range(task.min_length, 60)]
  assert steps == sorted(steps) and steps[0] > task.min_length
