"""Tests for the task registry in `memnets.tasks`."""

import chex
import jax
import pytest

from memnets import tasks
from memnets.tasks import base, chomsky, digits, neural_gpu, transduction

NTM_TASKS = ("copy", "repeat_copy", "associative_recall", "ngrams", "priority_sort")


def test_registry_holds_the_ntm_chomsky_transduction_neural_gpu_and_digits_tasks():
  families = (NTM_TASKS, chomsky.TASKS, transduction.TASKS, neural_gpu.TASKS, digits.TASKS)
  assert all(set(family) <= set(tasks.TASKS) for family in families)
  assert len(tasks.TASKS) == sum(map(len, families))  # no name is shadowed
  assert {tasks.get(name).name for name in neural_gpu.TASKS} == set(neural_gpu.TASKS)
  assert tasks.Batch is base.Batch and tasks.Task is base.Task


@pytest.mark.parametrize("name", NTM_TASKS)
def test_ntm_tasks_build_with_paper_settings(name):
  task = tasks.get(name)
  assert isinstance(task, base.Task)
  assert task.name == name and task.loss == "bits"
  low, high = task.train_lengths
  assert task.min_length <= low <= high
  for length in task.test_lengths:
    task.check_length(length)


@pytest.mark.parametrize("name", NTM_TASKS)
def test_batches_match_the_declared_sizes(name):
  task = tasks.TASKS[name]()
  length = task.min_length
  batch = jax.jit(task.sample, static_argnums=(1, 2))(jax.random.key(0), 2, length)
  num_steps = task.num_steps(length)
  chex.assert_shape(batch.inputs, (2, num_steps, task.input_size))
  chex.assert_shape(batch.targets, (2, num_steps, task.output_size))
  chex.assert_shape(batch.mask, (2, num_steps))
  assert float(batch.mask.sum()) > 0


def test_get_passes_keyword_arguments():
  task = tasks.get("copy", bits=3)
  assert (task.input_size, task.output_size) == (4, 3)
  assert tasks.get("priority_sort", num_outputs=4).num_outputs == 4


def test_unknown_name_lists_the_known_names():
  with pytest.raises(ValueError, match="unknown task 'copyy'") as error:
    tasks.get("copyy")
  for name in NTM_TASKS:
    assert name in str(error.value)
