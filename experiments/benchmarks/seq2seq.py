"""Speed of the encoder-decoder (`experiments.seq2seq_run`): a training step and greedy decoding.

The encoder-decoder trains through its runner, not through
`memnets.training`'s cell loop, so its cases time its own pieces on
reverse_string at LENGTH symbols (a source of LENGTH, a target of LENGTH):
one teacher-forced Adam step on a fixed batch, and greedy decoding of the
same batch (the forward pass of evaluation), with the `attention_reverse`
config's sizes, with attention or without ("attention", "plain").
"""

from typing import Any

import jax
import optax
from flax import nnx

from experiments import seq2seq_run
from experiments.benchmarks import programs, timing
from experiments.configs import attention_reverse
from memnets import tasks
from memnets.seq2seq import adapter
from memnets.tasks import metrics as task_metrics

LENGTH = 20
MODELS = ("attention", "plain")


def measure(model_name: str, batch_size: int, *, tiny: bool = False, **kwargs) -> dict[str, Any]:
  """One row of the benchmark table for the encoder-decoder `model_name` (one of MODELS)."""
  if model_name not in MODELS:
    raise ValueError(f"unknown encoder-decoder {model_name!r}; known: {MODELS}")
  rss_before = timing.rss_high_water_bytes()
  config = attention_reverse.get_config("smoke" if tiny else None)
  config.model.attention = model_name == "attention"
  task = tasks.get(config.task.source)
  length = 3 if tiny else LENGTH
  pairs = adapter.split(*task.sample(jax.random.key(0), batch_size, length))
  model = seq2seq_run._build(config, task)
  graphdef, params = nnx.split(model, nnx.Param)
  optimizer = optax.adam(config.optimizer.learning_rate)

  def loss_fn(params):
    logits = nnx.merge(graphdef, params)(pairs.source, pairs.source_mask, pairs.target)
    return task_metrics.loss(task.loss, logits, pairs.target, pairs.target_mask)

  @jax.jit
  def train(carry):
    params, opt_state = carry
    grads = jax.grad(loss_fn)(params)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state

  decode = jax.jit(lambda p: nnx.merge(graphdef, p).greedy(pairs.source, pairs.source_mask, length))
  train_timing, _ = timing.time_calls(train, (params, optimizer.init(params)), **kwargs)
  forward_timing, _ = timing.time_calls(lambda c: (c[0], decode(c[0])), (params, None), **kwargs)
  return timing.runner_row(
    model=f"encoder-decoder, {model_name}",
    task="seq2seq",
    batch_size=batch_size,
    length=length,
    time_steps=2 * length,
    memory=None,
    params=programs.count_params(params),
    train=train_timing,
    forward=forward_timing,
    rss_before=rss_before,
  )
