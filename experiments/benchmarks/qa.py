"""Speed of the bAbI models' training step (`memnets.qa.training.train_step`) and forward pass.

The question-answering models train by epochs over bAbI arrays, not through
`memnets.training`'s sampled steps, so their cases time the epoch loop's own
compiled step on a fixed batch of random word ids in the shapes of the 1k
set's task 2 (STORY_SENTENCES sentences of SENTENCE_WORDS words, questions
of QUESTION_WORDS, a vocabulary of VOCAB_SIZE; every story SENTENCES_USED
long), built from each model's bAbI config. No release is read.
"""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from experiments.benchmarks import programs, timing
from experiments.configs import dmn_babi, dnc_babi, memn2n_babi, ntm_babi
from memnets import qa
from memnets.qa import training

CONFIGS = {"memn2n": memn2n_babi, "dmn_plus": dmn_babi, "ntm": ntm_babi, "dnc": dnc_babi}
STORY_SENTENCES = 50  # the memory's sentences (MemN2N: the last 50)
SENTENCE_WORDS = 7
QUESTION_WORDS = 4
VOCAB_SIZE = 40
SENTENCES_USED = 15  # each story's length: task 2's mean (15.4 statements)


class _Arrays:
  """One split of random bAbI-shaped arrays (the fields `qa.build` and the step read)."""

  def __init__(self, batch_size: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    shape = (batch_size, STORY_SENTENCES, SENTENCE_WORDS)
    self.stories = rng.integers(1, VOCAB_SIZE, shape).astype(np.int32)
    self.questions = rng.integers(1, VOCAB_SIZE, (batch_size, QUESTION_WORDS)).astype(np.int32)
    self.story_lengths = np.full((batch_size,), SENTENCES_USED, np.int32)
    self.answers = rng.integers(1, VOCAB_SIZE, (batch_size,)).astype(np.int32)


def measure(name: str, batch_size: int, *, tiny: bool = False, **kwargs) -> dict[str, Any]:
  """One row of the benchmark table for the bAbI model `name` (a key of CONFIGS).

  `kwargs`: `timing.time_calls`'s num_steps, min_steps, budget_s. The row
  has `timing.measure`'s keys where they apply (task "babi"; length: the
  story's sentences; time_steps: the sequence readers' words per question).
  """
  rss_before = timing.rss_high_water_bytes()
  config = CONFIGS[name].get_config("smoke" if tiny else None)
  split = _Arrays(batch_size)
  data = type("Data", (), {"splits": {"train": split}})
  sizes = config.model.to_dict()
  sizes.pop("name")
  sizes.pop("embeddings_path", None)
  model = qa.build(name, VOCAB_SIZE, data, rngs=nnx.Rngs(0), **sizes)
  settings = training.Settings(**config.train.to_dict())
  graphdef, params = nnx.split(model, nnx.Param)
  step, opt_state = training.train_step(graphdef, params, settings)
  batch = tuple(jnp.asarray(a) for a in (split.stories, split.questions, split.story_lengths,
                                          split.answers))  # fmt: skip
  key, rate = jax.random.key(0), settings.learning_rate

  def train(carry):
    return step(*carry, key, batch, rate, True)

  forward_fn = jax.jit(lambda p: nnx.merge(graphdef, p)(*batch[:3]))
  train_timing, _ = timing.time_calls(train, (params, opt_state), **kwargs)
  forward_timing, _ = timing.time_calls(
    lambda carry: (carry[0], forward_fn(carry[0])), (params, None), **kwargs
  )
  return timing.runner_row(
    model=f"{name} (bAbI)",
    task="babi",
    batch_size=batch_size,
    length=STORY_SENTENCES,
    time_steps=getattr(model, "length", None),
    memory=None,
    params=programs.count_params(params),
    train=train_timing,
    forward=forward_timing,
    rss_before=rss_before,
  )
