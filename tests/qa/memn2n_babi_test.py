"""A MemN2N trained on the real bAbI task 1 answers well above chance (needs ../shared/babi)."""

import pathlib

import jax
import numpy as np
import optax
import pytest
from flax import nnx

from memnets.qa import MemN2N
from memnets.tasks import babi

EN = pathlib.Path(__file__).resolve().parents[3] / "shared" / "babi" / "en"


@pytest.mark.skipif(not EN.is_dir(), reason=f"the bAbI release is not at {EN.parent} (its README)")
def test_twelve_epochs_on_task_1_answer_well_above_chance():
  data = babi.load_experiment(EN, [1], max_sentences=50)
  train, test = data.splits["train"], data.splits["test"]
  model = MemN2N(len(data.vocab), dim=20, hops=3, max_sentences=50, rngs=nnx.Rngs(0))
  graphdef, params = nnx.split(model, nnx.Param)
  # The paper's settings: SGD at 0.01 on the loss summed over a batch of 32, norm clipped at 40.
  optimizer = optax.chain(optax.clip_by_global_norm(40.0), optax.sgd(0.01))
  opt_state = optimizer.init(params)

  def loss(params, s, q, n, a):
    logits = nnx.merge(graphdef, params)(s, q, n)
    return optax.softmax_cross_entropy_with_integer_labels(logits, a).sum()

  @jax.jit
  def step(params, opt_state, *batch):
    updates, opt_state = optimizer.update(jax.grad(loss)(params, *batch), opt_state, params)
    return optax.apply_updates(params, updates), opt_state

  rng = np.random.default_rng(0)
  for _ in range(12):
    order = rng.permutation(len(train.answers))
    for i in range(0, len(order) - 31, 32):
      b = order[i : i + 32]
      batch = (train.stories[b], train.questions[b], train.story_lengths[b], train.answers[b])
      params, opt_state = step(params, opt_state, *batch)
  logits = nnx.merge(graphdef, params)(test.stories, test.questions, test.story_lengths)
  accuracy = float(np.mean(np.asarray(logits).argmax(-1) == test.answers))
  chance = 1 / len(np.unique(test.answers))  # six places
  assert accuracy > 0.5 > 2 * chance, accuracy
