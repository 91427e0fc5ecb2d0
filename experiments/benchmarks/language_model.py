"""Speed of the language model's training windows (`experiments.lm_run`): tokens per second.

The language model trains on windows of a text stream with the state
carried between them, not through `memnets.training`'s sampled steps, so
its cases time the runner's own compiled chunk of STEPS_PER_CALL windows
(truncated BPTT: the window's loss, gradient, clipped Adam update, the state
handed on) and, apart, the held-out likelihood of the same window. The
stream is random ids over VOCAB_SIZE words (the seed material's 8,000-word
cap), the model the `lm_grammar` config's (100 units, one-hot words,
windows of 35). No corpus is read.
"""

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from experiments import lm_run
from experiments.benchmarks import programs, timing
from experiments.configs import lm_grammar
from memnets import lm
from memnets.lm import model as lm_model

VOCAB_SIZE = 8000  # the seed material's cap
TINY_VOCAB_SIZE = 50
STEPS_PER_CALL = 10  # windows per compiled call (the runner runs eval_every of them)


def measure(cell: str, batch_size: int, *, tiny: bool = False, **kwargs) -> dict[str, Any]:
  """One row of the benchmark table for the language model over `cell` ("rnn", "lstm", "gru").

  `kwargs`: `timing.time_calls`'s num_steps, min_steps, budget_s. The row
  has `timing.measure`'s keys where they apply (task "language_model";
  length: the window's tokens; memory: the vocabulary size) and
  `train_tokens_per_s`.
  """
  rss_before = timing.rss_high_water_bytes()
  config = lm_grammar.get_config("smoke" if tiny else None)
  vocab = TINY_VOCAB_SIZE if tiny else VOCAB_SIZE
  window = config.train.window
  tokens = batch_size * window * (STEPS_PER_CALL + 1) + 1
  ids = np.random.default_rng(0).integers(0, vocab, tokens).astype(np.int32)
  data = lm_model.columns(ids, batch_size, window)
  model = lm.LanguageModel(vocab, cell=cell, hidden_size=config.model.hidden_size, rngs=nnx.Rngs(0))
  graphdef, params = nnx.split(model, nnx.Param)
  optimizer = optax.chain(
    optax.clip_by_global_norm(config.optimizer.clip_global_norm),
    optax.adam(config.optimizer.learning_rate),
  )
  chunk = lm_run.make_train_chunk(graphdef, optimizer, data, window, STEPS_PER_CALL)
  state = model.initial_state(batch_size)

  def train(carry):
    out, _ = chunk(*carry)
    return out

  first = tuple(jnp.asarray(a[:, :window]) for a in data)
  forward_fn = jax.jit(lambda p: lm_model.window_nll(nnx.merge(graphdef, p), state, *first)[0])
  carry = (params, optimizer.init(params), state, jnp.int32(0))
  train_timing, _ = timing.time_calls(train, carry, **kwargs)
  forward_timing, _ = timing.time_calls(
    lambda c: (c[0], forward_fn(c[0])), (params, None), **kwargs
  )
  row = timing.runner_row(
    model=f"lm {cell}",
    task="language_model",
    batch_size=batch_size,
    length=window,
    time_steps=window,
    memory=vocab,
    params=programs.count_params(params),
    train=train_timing,
    forward=forward_timing,
    rss_before=rss_before,
    steps_per_call=STEPS_PER_CALL,
  )
  row["train_tokens_per_s"] = row["train_sequences_per_s"] * window
  return row
