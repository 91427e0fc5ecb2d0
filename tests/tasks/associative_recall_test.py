"""Tests for the associative recall task (Graves et al. 2014, §4.3).

The shape, determinism, compile-once and bad-length checks are in ntm_tasks_test.py.
"""

import chex
import jax
import jax.numpy as jnp
import numpy as np

from memnets.tasks import associative_recall

TASK = associative_recall.AssociativeRecall()
BITS, WIDTH = 6, 3
MAX_ITEMS = 5


@jax.jit
def sample_at_max(key, lengths):
  """The task's sampler at MAX_ITEMS."""
  return TASK.sample_lengths(key, lengths, MAX_ITEMS)


def test_paper_sizes():
  assert (TASK.input_size, TASK.output_size, TASK.loss) == (8, 6, "bits")
  assert TASK.train_lengths == (2, 6) and TASK.min_length == 2
  # 6 items of 4 steps, query delimiter + 3 + delimiter, 3 answer steps.
  assert TASK.num_steps(6) == 24 + 5 + 3


def _parse(inputs_TxI, num_items):
  """Reads the items and the query back from one example's inputs, checking delimiters."""
  item_delimiters = np.nonzero(inputs_TxI[:, BITS])[0]
  query_delimiters = np.nonzero(inputs_TxI[:, BITS + 1])[0]
  np.testing.assert_array_equal(item_delimiters, 4 * np.arange(num_items))
  np.testing.assert_array_equal(query_delimiters, [4 * num_items, 4 * num_items + 4])
  items = [inputs_TxI[4 * k + 1 : 4 * k + 4, :BITS] for k in range(num_items)]
  query = inputs_TxI[4 * num_items + 1 : 4 * num_items + 4, :BITS]
  return items, query


def test_known_answer_and_mask_for_mixed_lengths():
  lengths = np.array([2, 5, 3, 4, 2, 5])
  batch = sample_at_max(jax.random.key(3), jnp.asarray(lengths))
  inputs, targets, mask = (np.asarray(x) for x in batch)
  np.testing.assert_array_equal(mask.sum(axis=1), [WIDTH] * len(lengths))
  queried = []
  for i, num_items in enumerate(lengths):
    items, query = _parse(inputs[i], num_items)
    answer_start = 4 * num_items + 5
    np.testing.assert_array_equal(np.nonzero(mask[i])[0], answer_start + np.arange(WIDTH))
    assert not inputs[i, answer_start:].any()
    # The query is one of the first K - 1 items; the target is the item after it.
    matches = [k for k in range(num_items - 1) if np.array_equal(items[k], query)]
    assert matches, "the query must be one of the first K - 1 items"
    q = matches[0]
    queried.append(q)
    np.testing.assert_array_equal(targets[i, answer_start : answer_start + WIDTH], items[q + 1])
    assert not targets[i][mask[i] == 0].any()
  assert len(set(queried)) > 1


def test_query_covers_all_but_last_item():
  counts = np.zeros(3, int)
  for seed in range(8):
    inputs = np.asarray(
      sample_at_max(jax.random.key(10 + seed), jnp.full((6,), 3, jnp.int32)).inputs
    )
    for example in inputs:
      items, query = _parse(example, 3)
      counts[[np.array_equal(item, query) for item in items].index(True)] += 1
  assert counts[0] > 10 and counts[1] > 10 and counts[2] == 0


def test_custom_sizes():
  task = associative_recall.AssociativeRecall(bits=4, item_size=2)
  batch = jax.jit(task.sample, static_argnums=(1, 2))(jax.random.key(0), 2, 2)
  chex.assert_shape(batch.inputs, (2, 3 * 2 + 6, 6))
  np.testing.assert_array_equal(batch.mask.sum(axis=1), [2, 2])
