"""One encoder-decoder run from a config: a registry task's pairs, or two parallel text files.

`run(config, workdir)` is what `python -m experiments.train` calls for a
config whose `task.name` is "seq2seq" (experiments/configs/attention_reverse.py
and attention_text.py). Batches are drawn on the device from
`fold_in(seed, step)` and trained with teacher forcing (Adam, clipped):
- `task.source` a registry task: its batches split into source and target
  (`memnets.seq2seq.adapter`); every `train.eval_every` steps and at the end,
  greedy decoding is scored by exact match (every output step right) on
  `train.eval_sequences` fresh sequences at each of `task.eval_lengths`.
  `summary.json` has `exact_match` per length and its means over the lengths
  inside and beyond training.
- `task.source` "parallel_text": line pairs of `task.source_path` and
  `task.target_path` (`memnets.seq2seq.parallel`; with neither given, the
  grammar's toy translation, written to the workdir); the held-out pairs are
  scored by exact match (the whole translation and its end), token accuracy
  of greedy decoding and teacher-forced perplexity per target token, and
  `translations.txt` holds the greedy translation of every held-out line.
With `train.beam_width` > 1, beam search is scored too at the end. Writes
`metrics.jsonl`, `summary.json`, `config.json` and, with attention,
`attention.png` (one held-out pair's alignment). A workdir that already
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
from memnets.seq2seq import adapter, parallel
from memnets.tasks import grammar
from memnets.tasks import metrics as task_metrics

ATTENTION_PNG = "attention.png"
PARALLEL = "parallel_text"  # task.source of a run on two parallel text files
SOURCE_TXT, TARGET_TXT = "source.txt", "target.txt"  # the grammar's parallel corpus
TRANSLATIONS_TXT = "translations.txt"  # greedy translations of the held-out source lines


def _build(config, data) -> seq2seq.EncoderDecoder:
  m = config.model
  return seq2seq.EncoderDecoder(
    data.input_size, data.output_size, hidden_size=m.hidden_size, attention_size=m.attention_size,
    encoder=m.encoder, attention=m.attention, loss=data.loss, rngs=nnx.Rngs(config.train.seed),
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


class _Generated:
  """Pairs drawn from the registry task `task.source`, scored by exact match per length."""

  def __init__(self, config):
    task_cfg, self.train = config.task, config.train
    self.task = tasks.get(task_cfg.source, **task_cfg.kwargs.to_dict())
    self.low, self.high = int(task_cfg.min_length), int(task_cfg.max_length)
    self.lengths = tuple(int(n) for n in task_cfg.eval_lengths)
    self.task.sample(jax.random.key(0), 1, (self.low, self.high))  # checks the length range
    self.input_size, self.output_size = self.task.input_size, self.task.output_size
    self.loss = self.task.loss
    self.key = jax.random.fold_in(jax.random.key(self.train.seed), 2)

  def batch(self, key, size: int) -> adapter.Pairs:
    return adapter.split(*self.task.sample(key, size, (self.low, self.high)))

  def _pairs(self, length: int) -> adapter.Pairs:
    batch = self.task.sample(
      jax.random.fold_in(self.key, length), self.train.eval_sequences, length
    )
    return adapter.split(*batch)

  def evaluate(self, scorer, params) -> dict:
    return {"exact_match": {str(n): scorer.exact(params, self._pairs(n)) for n in self.lengths}}

  def summarize(self, scorer, params, record: dict, workdir: pathlib.Path) -> dict:
    matched = record["exact_match"]
    inside = [n for n in self.lengths if n <= self.high]
    beyond = [n for n in self.lengths if n > self.high]
    mean = lambda ns: float(np.mean([matched[str(n)] for n in ns])) if ns else None  # noqa: E731
    summary = {"exact_match": matched, "train_exact_match": mean(inside),
               "test_exact_match": mean(beyond)}  # fmt: skip
    width = int(self.train.beam_width)
    if width > 1 and self.loss == "categorical":
      summary["beam_width"] = width
      summary["beam_exact_match"] = {
        str(n): scorer.exact(params, self._pairs(n), width) for n in self.lengths
      }
    if scorer.attention:
      pairs = adapter.split(*self.task.sample(jax.random.key(0), 1, (beyond or inside)[0]))
      symbol = lambda ids: [str(i) for i in ids]  # noqa: E731
      summary["attention_png"] = str(
        write_alignment(scorer.model(params), pairs, symbol, symbol,
                        f"{self.task.name}, length {(beyond or inside)[0]}", workdir)
      )  # fmt: skip
    return summary


def _pad_rows(ids_NxT: np.ndarray, rows: int) -> np.ndarray:
  return np.pad(ids_NxT, ((0, rows - len(ids_NxT)), (0, 0)), constant_values=parallel.PAD)


class _Parallel:
  """Pairs of two parallel text files, scored on the held-out pairs (`memnets.seq2seq.parallel`)."""

  def __init__(self, config, workdir: pathlib.Path):
    task_cfg, self.train, self.level = config.task, config.train, config.task.level
    source, target = task_cfg.source_path, task_cfg.target_path
    if bool(source) != bool(target):
      raise ValueError("task.source_path and task.target_path: give both files, or neither")
    if not source:  # the toy translation of the project's grammar
      source, target = grammar.write_parallel(
        workdir / SOURCE_TXT, workdir / TARGET_TXT, task_cfg.num_sentences, task_cfg.corpus_seed
      )
    self.corpus = parallel.load(
      source, target, level=self.level, max_vocab=task_cfg.max_vocab,
      max_tokens=task_cfg.max_tokens, valid_fraction=task_cfg.valid_fraction,
    )  # fmt: skip
    self.input_size = len(self.corpus.source_vocabulary)
    self.output_size = len(self.corpus.target_vocabulary)
    self.loss = "categorical"
    self.train_ids = (jnp.asarray(self.corpus.train.source), jnp.asarray(self.corpus.train.target))

  def _pairs(self, source, target) -> adapter.Pairs:
    return parallel.pairs(source, target, self.input_size, self.output_size)

  def batch(self, key, size: int) -> adapter.Pairs:
    rows = jax.random.randint(key, (size,), 0, len(self.corpus.train))
    return self._pairs(self.train_ids[0][rows], self.train_ids[1][rows])

  def _chunks(self):
    """The held-out pairs in chunks of train.eval_sequences rows (the last one padded)."""
    valid, size = self.corpus.valid, int(self.train.eval_sequences)
    for begin in range(0, len(valid), size):
      source, target = valid.source[begin : begin + size], valid.target[begin : begin + size]
      yield len(source), self._pairs(_pad_rows(source, size), _pad_rows(target, size))

  def evaluate(self, scorer, params, width: int = 0) -> dict:
    totals = np.zeros(4)
    for rows, pairs in self._chunks():
      totals += np.asarray(scorer.counts(params, pairs, width))[:, :rows].sum(1)
    matched, right, tokens, nll = totals
    record = {"exact_match": float(matched / len(self.corpus.valid)),
              "token_accuracy": float(right / tokens)}  # fmt: skip
    if not width:
      record["perplexity"] = float(np.exp(nll / tokens))
    return record

  def summarize(self, scorer, params, record: dict, workdir: pathlib.Path) -> dict:
    corpus = self.corpus
    summary = {
      "exact_match": record["exact_match"], "token_accuracy": record["token_accuracy"],
      "perplexity": record["perplexity"], "train_pairs": len(corpus.train),
      "valid_pairs": len(corpus.valid), "dropped_pairs": corpus.dropped,
      "source_vocabulary": self.input_size, "target_vocabulary": self.output_size,
    }  # fmt: skip
    width = int(self.train.beam_width)
    if width > 1:
      beam = self.evaluate(scorer, params, width)
      summary.update(beam_width=width, beam_exact_match=beam["exact_match"],
                     beam_token_accuracy=beam["token_accuracy"])  # fmt: skip
    (workdir / TRANSLATIONS_TXT).write_text("\n".join(self._free_run(scorer, params)) + "\n")
    summary["translations"] = str(workdir / TRANSLATIONS_TXT)
    if scorer.attention:
      first = self._pairs(corpus.valid.source[:1], corpus.valid.target[:1])
      show = lambda vocabulary: lambda ids: vocabulary.decode(ids)  # noqa: E731
      summary["attention_png"] = str(
        write_alignment(scorer.model(params), first, show(corpus.source_vocabulary),
                        show(corpus.target_vocabulary), "held-out pair 1", workdir)
      )  # fmt: skip
    return summary

  def _free_run(self, scorer, params) -> list[str]:
    """Every held-out pair's greedy translation up to its first end token."""
    out, vocabulary = [], self.corpus.target_vocabulary
    for rows, pairs in self._chunks():
      logits, _ = scorer.greedy(params, pairs)  # every step of the padded width
      ids = np.argmax(np.asarray(logits), -1)
      out += [parallel.words(row, vocabulary, self.level) for row in ids[:rows]]
    return out


class _Scorer:
  """The jitted decoding and scoring of one model's graph, on its parameters."""

  def __init__(self, graphdef, loss: str, attention: bool):
    self.graphdef, self.loss, self.attention = graphdef, loss, attention
    self._greedy = jax.jit(self._greedy_fn)
    self._exact = jax.jit(self._exact_fn, static_argnums=2)
    self._counts = jax.jit(self._counts_fn, static_argnums=2)

  def model(self, params) -> seq2seq.EncoderDecoder:
    return nnx.merge(self.graphdef, params)

  def _greedy_fn(self, params, pairs):
    return self.model(params).greedy(pairs.source, pairs.source_mask, pairs.target.shape[1])

  def _ids(self, params, pairs, width):
    if width > 1:
      model = self.model(params)
      return model.beam_search(pairs.source, pairs.source_mask, pairs.target_mask, width)
    return None

  def _exact_fn(self, params, pairs, width):
    return jnp.mean(exact(self.model(params), pairs, self.loss, self._ids(params, pairs, width)))

  def _counts_fn(self, params, pairs, width):
    """[4, B]: exact match, right tokens, tokens and teacher-forced NLL of each pair."""
    model = self.model(params)
    ids = self._ids(params, pairs, width)
    if ids is None:
      logits, _ = model.greedy(pairs.source, pairs.source_mask, pairs.target.shape[1])
      ids = jnp.argmax(logits, -1)
    mask, truth = pairs.target_mask, jnp.argmax(pairs.target, -1)
    forced = jax.nn.log_softmax(model(pairs.source, pairs.source_mask, pairs.target))
    nll = -(jnp.take_along_axis(forced, truth[..., None], -1)[..., 0] * mask).sum(1)
    has = (mask.sum(1) > 0).astype(jnp.float32)
    return jnp.stack([
      exact(model, pairs, self.loss, ids) * has, ((ids == truth) * mask).sum(1), mask.sum(1), nll
    ])  # fmt: skip

  def greedy(self, params, pairs):
    return self._greedy(params, pairs)

  def exact(self, params, pairs, width: int = 0) -> float:
    return float(self._exact(params, pairs, width))

  def counts(self, params, pairs, width: int = 0):
    return self._counts(params, pairs, width)


def run(config, workdir) -> dict:
  """Trains the encoder-decoder of `config`; returns (and writes) the summary."""
  workdir = pathlib.Path(workdir)
  if (workdir / "summary.json").exists():
    raise FileExistsError(
      f"{workdir / 'summary.json'} exists: a finished run; choose another --workdir"
    )
  began = time.perf_counter()
  train = config.train
  if config.task.source == PARALLEL:
    workdir.mkdir(parents=True, exist_ok=True)
    data = _Parallel(config, workdir)
  else:
    data = _Generated(config)
    workdir.mkdir(parents=True, exist_ok=True)
  model = _build(config, data)
  graphdef, params = nnx.split(model, nnx.Param)
  scorer = _Scorer(graphdef, data.loss, bool(config.model.attention))
  optimizer = optax.chain(
    optax.clip_by_global_norm(config.optimizer.clip_global_norm),
    optax.adam(config.optimizer.learning_rate),
  )
  opt_state = optimizer.init(params)
  data_key = jax.random.fold_in(jax.random.key(train.seed), 1)

  def loss_fn(params, step):
    pairs = data.batch(jax.random.fold_in(data_key, step), train.batch_size)
    logits = nnx.merge(graphdef, params)(pairs.source, pairs.source_mask, pairs.target)
    return task_metrics.loss(data.loss, logits, pairs.target, pairs.target_mask)

  def one(carry, _):
    params, opt_state, step = carry
    loss, grads = jax.value_and_grad(loss_fn)(params, step)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return (optax.apply_updates(params, updates), opt_state, step + 1), loss

  per_call = max(1, min(train.eval_every, train.steps))
  chunk = jax.jit(lambda c: jax.lax.scan(one, c, None, length=per_call))
  carry, step = (params, opt_state, jnp.int32(0)), 0
  with open(workdir / "metrics.jsonl", "w") as out:
    while step < train.steps:
      carry, losses = chunk(carry)
      step += per_call
      record = {"step": step, "loss": float(jnp.mean(losses))}
      if not np.isfinite(record["loss"]):
        raise FloatingPointError(f"non-finite training loss at step {step}")
      record.update(data.evaluate(scorer, carry[0]))
      out.write(json.dumps(record) + "\n")
      logging.info("step %d: %s", step, record)
  summary = {"final_loss": record["loss"], "steps": step,
             **data.summarize(scorer, carry[0], record, workdir)}  # fmt: skip
  summary["wall_sec"] = time.perf_counter() - began
  (workdir / "config.json").write_text(config.to_json(indent=2))
  (workdir / "summary.json").write_text(json.dumps(summary, indent=2))
  return summary


def write_alignment(model, pairs: adapter.Pairs, source_words, output_words, title: str,
                    workdir: pathlib.Path) -> pathlib.Path:  # fmt: skip
  """The attention of the first pair of `pairs` as a heatmap, labelled by the `*_words` of its ids."""
  source_steps = int(pairs.source_mask[0].sum())
  output_steps = int(pairs.target_mask[0].sum())
  logits, weights = model.greedy(pairs.source, pairs.source_mask, pairs.target.shape[1])
  source = source_words(np.argmax(np.asarray(pairs.source[0, :source_steps]), -1).tolist())
  output = output_words(np.argmax(np.asarray(logits[0, :output_steps]), -1).tolist())
  return alignment.plot_alignment(
    workdir / ATTENTION_PNG,
    np.asarray(weights[0, :output_steps, :source_steps]),
    source,
    output,
    title=title,
  )
