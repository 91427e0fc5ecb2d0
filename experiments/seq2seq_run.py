"""One encoder-decoder run from a config: a registry task as (source, target) pairs.

`run(config, workdir)` is what `python -m experiments.train` calls for a
config whose `task.name` is "seq2seq" (experiments/configs/attention_reverse.py).
Batches of the registry task `task.source` are drawn on the device from
`fold_in(seed, step)`, split into source and target (`memnets.seq2seq.adapter`)
and trained with teacher forcing (Adam, clipped); every `train.eval_every`
steps and at the end, greedy decoding is scored by exact match (every output
step right) on `train.eval_sequences` fresh sequences at each of
`task.eval_lengths`, and, with `train.beam_width` > 1, beam search too. Writes
`metrics.jsonl`, `summary.json` (`exact_match` per length, its means over the
lengths inside and beyond training), `config.json` and, with attention,
`attention.png` (one test sequence's alignment). A workdir that already
holds a summary is refused.
"""

import json
import pathlib
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from absl import logging
from flax import nnx

from memnets import seq2seq, tasks
from memnets.figures import alignment
from memnets.seq2seq import adapter
from memnets.tasks import metrics as task_metrics

ATTENTION_PNG = "attention.png"


def _build(config, task) -> seq2seq.EncoderDecoder:
  m = config.model
  return seq2seq.EncoderDecoder(
    task.input_size, task.output_size, hidden_size=m.hidden_size, attention_size=m.attention_size,
    encoder=m.encoder, attention=m.attention, loss=task.loss, rngs=nnx.Rngs(config.train.seed),
  )  # fmt: skip


def exact(model, pairs: adapter.Pairs, loss: str, ids=None) -> jax.Array:
  """[B] 1.0 where every scored output step of greedy decoding (or of `ids`) is right."""
  if ids is None:
    logits, _ = model.greedy(pairs.source, pairs.source_mask, pairs.target.shape[1])
    if loss == "bits":
      right = ((logits > 0) == (pairs.target > 0.5)).all(-1)
    else:
      ids = jnp.argmax(logits, -1)
  if ids is not None:
    right = ids == jnp.argmax(pairs.target, -1)
  return jnp.all(right | (pairs.target_mask == 0), axis=1).astype(jnp.float32)


def run(config, workdir) -> dict:
  """Trains the encoder-decoder of `config`; returns (and writes) the summary."""
  workdir = pathlib.Path(workdir)
  if (workdir / "summary.json").exists():
    raise FileExistsError(
      f"{workdir / 'summary.json'} exists: a finished run; choose another --workdir"
    )
  began = time.perf_counter()
  task_cfg, train = config.task, config.train
  task = tasks.get(task_cfg.source, **task_cfg.kwargs.to_dict())
  low, high = int(task_cfg.min_length), int(task_cfg.max_length)
  task.sample(jax.random.key(0), 1, (low, high))  # the length range is checked before training
  workdir.mkdir(parents=True, exist_ok=True)
  model = _build(config, task)
  graphdef, params = nnx.split(model, nnx.Param)
  optimizer = optax.chain(
    optax.clip_by_global_norm(config.optimizer.clip_global_norm),
    optax.adam(config.optimizer.learning_rate),
  )
  opt_state = optimizer.init(params)
  data_key = jax.random.fold_in(jax.random.key(train.seed), 1)

  def loss_fn(params, step):
    batch = task.sample(jax.random.fold_in(data_key, step), train.batch_size, (low, high))
    pairs = adapter.split(*batch)
    logits = nnx.merge(graphdef, params)(pairs.source, pairs.source_mask, pairs.target)
    return task_metrics.loss(task.loss, logits, pairs.target, pairs.target_mask)

  def one(carry, _):
    params, opt_state, step = carry
    loss, grads = jax.value_and_grad(loss_fn)(params, step)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return (optax.apply_updates(params, updates), opt_state, step + 1), loss

  per_call = max(1, min(train.eval_every, train.steps))
  chunk = jax.jit(lambda c: jax.lax.scan(one, c, None, length=per_call))
  eval_key = jax.random.fold_in(jax.random.key(train.seed), 2)

  @jax.jit
  def _matched(params, batch):
    pairs = adapter.split(*batch)
    return jnp.mean(exact(nnx.merge(graphdef, params), pairs, task.loss))

  def _beam(params, batch, width):
    pairs = adapter.split(*batch)
    model = nnx.merge(graphdef, params)
    ids = model.beam_search(pairs.source, pairs.source_mask, pairs.target_mask, width)
    return jnp.mean(exact(model, pairs, task.loss, ids))

  beam = jax.jit(_beam, static_argnums=2)

  def evaluate(params, length: int, width: int = 0) -> float:
    batch = task.sample(jax.random.fold_in(eval_key, length), train.eval_sequences, length)
    return float(beam(params, batch, width) if width > 1 else _matched(params, batch))

  carry, step = (params, opt_state, jnp.int32(0)), 0
  with open(workdir / "metrics.jsonl", "w") as out:
    while step < train.steps:
      carry, losses = chunk(carry)
      step += per_call
      record = {"step": step, "loss": float(jnp.mean(losses))}
      if not np.isfinite(record["loss"]):
        raise FloatingPointError(f"non-finite training loss at step {step}")
      record["exact_match"] = {str(n): evaluate(carry[0], n) for n in task_cfg.eval_lengths}
      out.write(json.dumps(record) + "\n")
      logging.info(
        "step %d: loss %.4f, exact match %s", step, record["loss"], record["exact_match"]
      )
  params = carry[0]
  inside = [n for n in task_cfg.eval_lengths if n <= high]
  beyond = [n for n in task_cfg.eval_lengths if n > high]
  matched = record["exact_match"]
  summary = {
    "exact_match": matched, "final_loss": record["loss"], "steps": step,
    "train_exact_match": float(np.mean([matched[str(n)] for n in inside])) if inside else None,
    "test_exact_match": float(np.mean([matched[str(n)] for n in beyond])) if beyond else None,
  }  # fmt: skip
  if train.beam_width > 1 and task.loss == "categorical":
    summary["beam_width"] = int(train.beam_width)
    summary["beam_exact_match"] = {
      str(n): evaluate(params, n, int(train.beam_width)) for n in task_cfg.eval_lengths
    }
  if config.model.attention:
    summary["attention_png"] = str(
      write_alignment(nnx.merge(graphdef, params), task, beyond or inside, workdir)
    )
  summary["wall_sec"] = time.perf_counter() - began
  (workdir / "config.json").write_text(config.to_json(indent=2))
  (workdir / "summary.json").write_text(json.dumps(summary, indent=2))
  return summary


def write_alignment(model, task, lengths, workdir: pathlib.Path) -> pathlib.Path:
  """The attention of one sequence at the first of `lengths`, as a heatmap."""
  pairs = adapter.split(*task.sample(jax.random.key(0), 1, int(lengths[0])))
  source_steps = int(pairs.source_mask[0].sum())
  output_steps = int(pairs.target_mask[0].sum())
  logits, weights = model.greedy(pairs.source, pairs.source_mask, pairs.target.shape[1])
  symbol = lambda v: str(int(np.argmax(v)))  # noqa: E731
  source = [symbol(v) for v in np.asarray(pairs.source[0, :source_steps])]
  output = [symbol(v) for v in np.asarray(logits[0, :output_steps])]
  return alignment.plot_alignment(
    workdir / ATTENTION_PNG, np.asarray(weights[0, :output_steps, :source_steps]), source, output,
    title=f"{task.name}, length {lengths[0]}",
  )  # fmt: skip
