"""The Chomsky-hierarchy task suite (Delétang et al. 2023, "Neural Networks and the
Chomsky Hierarchy", ICLR): 15 sequence tasks grouped by the Chomsky hierarchy.

`TASKS` maps each of the paper's task names to its class; `TASKS[name]()` builds
the task with the paper's protocol (train on lengths U[1, 40], test on 41..500).
The time layout shared by all tasks is described in `encoding`.
"""

from memnets.tasks.chomsky import binary_arithmetic, context_free, context_sensitive, regular

_CLASSES = (
  # Regular.
  regular.EvenPairs,
  regular.ModularArithmetic,
  regular.ParityCheck,
  regular.CycleNavigation,
  # Deterministic context-free.
  context_free.StackManipulation,
  context_free.ReverseString,
  context_free.ModularArithmeticBrackets,
  context_free.SolveEquation,
  # Context-sensitive.
  context_sensitive.DuplicateString,
  context_sensitive.MissingDuplicateString,
  context_sensitive.OddsFirst,
  binary_arithmetic.BinaryAddition,
  binary_arithmetic.BinaryMultiplication,
  binary_arithmetic.ComputeSqrt,
  context_sensitive.BucketSort,
)

TASKS = {cls.name: cls for cls in _CLASSES}
