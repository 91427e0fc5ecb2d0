"""Algorithmic tasks: pure JAX batch generators and a plain-dict registry.

The NTM paper's tasks, the Chomsky-hierarchy suite (`chomsky`),
Grefenstette et al. 2015's transduction tasks (`transduction`), the Neural
GPU's binary arithmetic (`neural_gpu`) and scikit-learn's 8 × 8 digits read
as sequences (`digits`). `text` and `grammar` turn text into token ids.
"""

from memnets.tasks import (
  associative_recall,
  chomsky,
  copy,
  curriculum,
  digits,
  metrics,
  neural_gpu,
  ngrams,
  priority_sort,
  repeat_copy,
  transduction,
)
from memnets.tasks.base import Batch, Task

TASKS = {
  "copy": copy.Copy,
  "repeat_copy": repeat_copy.RepeatCopy,
  "associative_recall": associative_recall.AssociativeRecall,
  "ngrams": ngrams.NGrams,
  "priority_sort": priority_sort.PrioritySort,
  **chomsky.TASKS,
  **transduction.TASKS,
  **neural_gpu.TASKS,
  **digits.TASKS,
}


def get(name: str, **kwargs) -> Task:
  """Builds the task registered as `name` with keyword arguments `kwargs`."""
  if name not in TASKS:
    raise ValueError(f"unknown task {name!r}; known: {sorted(TASKS)}")
  return TASKS[name](**kwargs)


__all__ = ["TASKS", "Batch", "Task", "curriculum", "get", "metrics"]
