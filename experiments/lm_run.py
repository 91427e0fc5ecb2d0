"""One language-model run from a config: the text, the model, the windows, the files it writes.

`run(config, workdir)` is what `python -m experiments.train` calls for a
config whose `task.name` is "language_model" (experiments/configs/lm_grammar.py).
The text is `task.data_path` (any UTF-8 file, one line per sentence or
paragraph), or, when that is empty, a corpus drawn from the project's
grammar (`memnets.tasks.grammar`) and written to `<workdir>/corpus.txt`; its
last `task.valid_fraction` of lines are held out. The vocabulary (at most
`task.max_vocab` tokens, the rest one unknown token) comes from the training
lines. With `model.embeddings_path` (a word2vec text file, e.g. a
`experiments.word2vec_run` run's `embeddings.txt`) the input embedding
starts from those vectors. Training walks B columns of the training stream in windows of
`train.window` tokens, carrying the state across windows (truncated BPTT);
every `train.eval_every` steps the held-out perplexity is measured over all
its tokens, and the parameters of the best one are kept (early stopping).
Writes `metrics.jsonl`, `summary.json` (`valid_perplexity` at the end and
`best_valid_perplexity`; for the grammar's corpus, its `optimal_perplexity`
and its own perplexity on the held-out sentences, `grammar_valid_perplexity`;
samples), `vocabulary.json`, `config.json` and the parameters (`params/`,
orbax). A workdir that already holds a summary is refused.
"""

import json
import pathlib
import time
from typing import NamedTuple

import jax
import jax.numpy as jnp
import ml_collections
import numpy as np
import optax
import orbax.checkpoint as ocp
from absl import logging
from flax import nnx

from memnets import lm, word2vec
from memnets.lm import model as lm_model
from memnets.tasks import grammar, text

PARAMS_DIR = "params"
CORPUS = "corpus.txt"
VOCABULARY = "vocabulary.json"


class Restored(NamedTuple):
  """A finished language-model run: its config, vocabulary and trained model."""

  config: ml_collections.ConfigDict
  vocabulary: text.Vocabulary
  model: lm.LanguageModel


def _build(config, vocab_size: int) -> lm.LanguageModel:
  return lm.LanguageModel(
    vocab_size, cell=config.model.cell, hidden_size=config.model.hidden_size,
    embedding_size=config.model.embedding_size, rngs=nnx.Rngs(config.train.seed),
  )  # fmt: skip


def restore(workdir) -> Restored:
  """The run in `workdir` with its trained (best held-out) parameters.

  Raises FileNotFoundError, naming the file, where `workdir` holds no finished run.
  """
  workdir = pathlib.Path(workdir)
  for name in ("config.json", VOCABULARY, PARAMS_DIR):
    if not (workdir / name).exists():
      raise FileNotFoundError(f"{workdir / name}: no finished language-model run here")
  config = ml_collections.ConfigDict(json.loads((workdir / "config.json").read_text()))
  saved = json.loads((workdir / VOCABULARY).read_text())
  vocabulary = text.Vocabulary(saved["words"], saved["counts"])
  graphdef, params = nnx.split(_build(config, len(vocabulary)), nnx.Param)
  with ocp.StandardCheckpointer() as checkpointer:
    params = checkpointer.restore((workdir / PARAMS_DIR).absolute(), params)
  return Restored(config, vocabulary, nnx.merge(graphdef, params))


def sample_text(model, vocabulary, key, max_length: int, temperature: float, level: str) -> str:
  """One sampled line: tokens up to the first EOS, spaced for words, run together for characters."""
  eos = vocabulary.id(text.EOS)
  tokens = vocabulary.decode(lm_model.sample(model, key, eos, max_length, temperature))
  tokens = tokens[: tokens.index(text.EOS)] if text.EOS in tokens else tokens
  return ("" if level == "char" else " ").join(tokens)


def held_out_count(lines: int, valid_fraction: float) -> int:
  """How many of `lines` lines (the last ones) are held out."""
  return max(1, round(lines * valid_fraction))


def grammar_valid_perplexity(task) -> float:
  """The grammar's own perplexity on the held-out sentences of the grammar corpus of `task`."""
  drawn = grammar.sample_with_log_probs(task.corpus_seed, task.num_sentences)
  return grammar.perplexity(drawn[-held_out_count(len(drawn), task.valid_fraction) :])


def load_text(task, workdir: pathlib.Path):
  """(training lines, held-out lines, vocabulary, whether the text is the grammar's)."""
  if not 0 < task.valid_fraction < 1:
    raise ValueError(f"task.valid_fraction: must be in (0, 1), got {task.valid_fraction}")
  from_grammar = not task.data_path
  path = task.data_path or grammar.write_corpus(
    workdir / CORPUS, task.num_sentences, task.corpus_seed
  )
  lines = text.read_lines(path, task.level)
  held_out = held_out_count(len(lines), task.valid_fraction)
  if len(lines) - held_out < 1:
    raise ValueError(f"{path}: {len(lines)} lines leave none for training")
  train, valid = lines[:-held_out], lines[-held_out:]
  vocabulary = text.Vocabulary.build(train, max_size=task.max_vocab or None)
  return train, valid, vocabulary, from_grammar


def _ids(lines, vocabulary) -> np.ndarray:
  eos = np.int32(vocabulary.id(text.EOS))
  return np.concatenate([[eos], text.stream(lines, vocabulary)]).astype(np.int32)


def make_train_chunk(graphdef, optimizer, data: lm_model.Columns, window: int, steps: int):
  """A jitted function running `steps` training windows: (params, opt_state, state, step) → same, losses."""
  batch, length = data.inputs.shape
  windows_per_pass = length // window
  arrays = tuple(jnp.asarray(a) for a in data)

  def loss_fn(params, state, inputs, targets, mask):
    model = nnx.merge(graphdef, params)
    nll, state = lm_model.window_nll(model, state, inputs, targets, mask)
    return nll / jnp.maximum(jnp.sum(mask), 1.0), state

  def one(carry, _):
    params, opt_state, state, step = carry
    index = step % windows_per_pass
    start = nnx.merge(graphdef, params).initial_state(batch)
    state = jax.tree.map(lambda s, z: jnp.where(index == 0, z, s), state, start)
    chunk = [jax.lax.dynamic_slice_in_dim(a, index * window, window, axis=1) for a in arrays]
    (loss, state), grads = jax.value_and_grad(loss_fn, has_aux=True)(params, state, *chunk)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    params = optax.apply_updates(params, updates)
    return (params, opt_state, jax.lax.stop_gradient(state), step + 1), loss

  @jax.jit
  def run(params, opt_state, state, step):
    return jax.lax.scan(one, (params, opt_state, state, step), None, length=steps)

  return run


def run(config, workdir) -> dict:
  """Trains the language model of `config`; returns (and writes) the summary."""
  workdir = pathlib.Path(workdir)
  if (workdir / "summary.json").exists():
    raise FileExistsError(
      f"{workdir / 'summary.json'} exists: a finished run; choose another --workdir"
    )
  workdir.mkdir(parents=True, exist_ok=True)
  task, train_cfg = config.task, config.train
  began = time.perf_counter()
  train_lines, valid_lines, vocabulary, from_grammar = load_text(task, workdir)
  window = int(train_cfg.window)
  if window < 1 or train_cfg.batch_size < 1 or train_cfg.steps < 1:
    raise ValueError("train.window, train.batch_size and train.steps must be >= 1")
  train_data = lm_model.columns(_ids(train_lines, vocabulary), train_cfg.batch_size, window)
  valid_data = lm_model.columns(_ids(valid_lines, vocabulary), train_cfg.eval_columns, window)
  model = _build(config, len(vocabulary))
  if config.model.get("embeddings_path"):  # word2vec's vectors as the initial embedding
    if not config.model.embedding_size:
      raise ValueError("model.embeddings_path: needs model.embedding_size, the vectors' dimension")
    model.set_embeddings(
      word2vec.initial_embeddings(
        config.model.embeddings_path, vocabulary.words, config.model.embedding_size
      )
    )
  graphdef, params = nnx.split(model, nnx.Param)
  optimizer = optax.chain(
    optax.clip_by_global_norm(config.optimizer.clip_global_norm),
    optax.adam(config.optimizer.learning_rate),
  )
  opt_state = optimizer.init(params)
  state = model.initial_state(train_cfg.batch_size)
  per_call = max(1, min(train_cfg.eval_every, train_cfg.steps))
  chunk = make_train_chunk(graphdef, optimizer, train_data, window, per_call)
  evaluate = jax.jit(lambda p: lm_model.stream_nll(nnx.merge(graphdef, p), valid_data, window))
  step, history, best = 0, [], (np.inf, 0, params)
  with open(workdir / "metrics.jsonl", "w") as metrics:
    while step < train_cfg.steps:
      (params, opt_state, state, _), losses = chunk(params, opt_state, state, jnp.int32(step))
      step += per_call
      nll, count = evaluate(params)
      record = {"step": step, "train_loss": float(jnp.mean(losses)),
                "valid_perplexity": float(jnp.exp(nll / count))}  # fmt: skip
      if not np.isfinite(record["train_loss"]):
        raise FloatingPointError(f"non-finite training loss at step {step}")
      history.append(record)
      if record["valid_perplexity"] < best[0]:
        best = (record["valid_perplexity"], step, params)
      metrics.write(json.dumps(record) + "\n")
      logging.info("step %d: train loss %.4f, valid perplexity %.3f", step, record["train_loss"],
                   record["valid_perplexity"])  # fmt: skip
  params = best[2]  # early stopping: the parameters of the best held-out perplexity
  trained = nnx.merge(graphdef, params)
  samples = [
    sample_text(
      trained, vocabulary, jax.random.key(i), task.sample_length, task.temperature, task.level
    )
    for i in range(task.num_samples)
  ]
  summary = {
    "valid_perplexity": history[-1]["valid_perplexity"],
    "best_valid_perplexity": best[0],
    "best_step": best[1],
    "train_perplexity": float(np.exp(history[-1]["train_loss"])),
    "valid_tokens": int(valid_data.mask.sum()),
    "train_tokens": int(train_data.mask.sum()),
    "vocabulary_size": len(vocabulary),
    "steps": step,
    "wall_sec": time.perf_counter() - began,
    "samples": samples,
  }
  if from_grammar and task.level == "word":
    summary["optimal_perplexity"] = grammar.optimal_perplexity()
    summary["grammar_valid_perplexity"] = grammar_valid_perplexity(task)
  with ocp.StandardCheckpointer() as checkpointer:
    checkpointer.save((workdir / PARAMS_DIR).absolute(), params, force=True)
  vocabulary_json = {"words": list(vocabulary.words), "counts": vocabulary.counts.tolist()}
  (workdir / VOCABULARY).write_text(json.dumps(vocabulary_json))
  (workdir / "config.json").write_text(config.to_json(indent=2))
  (workdir / "summary.json").write_text(json.dumps(summary, indent=2))
  return summary
