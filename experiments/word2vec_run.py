"""One word2vec training run from a config: the corpus, the vocabulary, the epochs, the files.

`run(config, workdir)` is what `python -m experiments.train` calls for a
config whose `task.name` is "word2vec" (this module defines no flags). It
reads `task.data_path` (plain text, `memnets.tasks.text.read_lines`) or, when
that is empty, writes the probabilistic grammar's corpus
(`memnets.tasks.grammar.write_corpus`) under the workdir; builds the
vocabulary (words seen fewer than `task.min_count` times are dropped from
the text, as the released code drops them); trains `model.kind` for
`train.epochs` epochs (or `train.steps` steps when set), each epoch a fresh
subsampling of the corpus on the device, an epoch being as many steps as
its expected kept words fill batches; and writes
`<workdir>/embeddings.txt` (the input vectors, word2vec text format),
`metrics.jsonl` (one line per `train.log_every` steps), `config.json` and
`summary.json`. For the grammar corpus the summary holds
`memnets.word2vec.queries.category_closeness` over the grammar's
categories. A workdir that already holds a summary is refused.
"""

import json
import math
import pathlib
import time

import jax
import jax.numpy as jnp
import numpy as np
from absl import logging

from memnets.tasks import grammar, text
from memnets.word2vec import queries, sampling, training, vectors

CORPUS_FILE = "corpus.txt"  # the generated grammar corpus, under the workdir
EMBEDDINGS_FILE = "embeddings.txt"
EXAMPLE_WORDS = 3  # words whose nearest neighbours the summary lists
EXAMPLE_NEIGHBOURS = 3
SUBSAMPLE_STREAM = 1  # fold_in stream of the epochs' subsampling keys (0: the steps')


def _corpus(config, workdir: pathlib.Path) -> pathlib.Path:
  if config.task.data_path:
    return pathlib.Path(config.task.data_path)
  path = workdir / CORPUS_FILE
  grammar.write_corpus(path, config.task.num_sentences, config.task.corpus_seed)
  return path


def _chunks(steps_per_epoch: int, total_steps: int, log_every: int):
  """(epoch, steps) of every compiled call: `log_every` steps, never across an epoch's end."""
  done = 0
  while done < total_steps:
    epoch, into = divmod(done, steps_per_epoch)
    steps = min(log_every, steps_per_epoch - into, total_steps - done)
    yield epoch, steps
    done += steps


def run(config, workdir) -> dict:
  """Trains as `config` says and writes embeddings, summary and metrics into `workdir`."""
  workdir = pathlib.Path(workdir)
  if (workdir / "summary.json").exists():
    raise FileExistsError(f"{workdir / 'summary.json'} exists; choose another --workdir")
  workdir.mkdir(parents=True, exist_ok=True)
  task, model, train = config.task, config.model, config.train
  path = _corpus(config, workdir)
  sentences = text.read_lines(path, task.level)
  vocab = text.Vocabulary.build(
    sentences, max_size=task.max_vocab or None, min_count=task.min_count
  )
  eos, unk = vocab.id(text.EOS), vocab.id(text.UNK)
  stream = text.stream(sentences, vocab)
  stream = stream[stream != unk]  # the released code skips words outside its vocabulary
  counts = np.bincount(stream, minlength=len(vocab)).astype(np.int64)
  if counts.sum() == counts[eos]:
    raise ValueError(f"{path}: no word is seen {task.min_count} times (task.min_count)")
  noise_counts = counts.copy()
  noise_counts[eos] = 0  # the sentence end is never a noise word
  keep = sampling.keep_probabilities(counts, model.sample, model.subsampling)
  kept_words = float((counts * keep).sum() - counts[eos])
  steps_per_epoch = max(1, math.ceil(kept_words / train.batch_size))
  total_steps = train.steps or steps_per_epoch * train.epochs
  rate = train.learning_rate or training.CODE_LEARNING_RATES[model.kind]
  settings = training.Settings(
    kind=model.kind, batch_size=train.batch_size, window=model.window,
    num_negatives=model.negatives, context_gradient=model.context_gradient,
  )  # fmt: skip
  schedule = training.linear_decay(rate, total_steps)
  cdf = sampling.noise_cdf(noise_counts)
  key = jax.random.key(train.seed)
  init_key, step_key = jax.random.split(key)
  state = training.init_state(init_key, len(vocab), model.dim)
  corpus = jnp.asarray(stream)
  keep = jnp.asarray(keep, jnp.float32)
  subsample = jax.jit(sampling.subsample, static_argnums=3)
  calls = {}
  losses, timed_words, timed_s = [], 0, 0.0
  began = time.perf_counter()
  with open(workdir / "metrics.jsonl", "w") as metrics:
    current = None
    for epoch, steps in _chunks(steps_per_epoch, total_steps, train.log_every):
      if epoch != current:
        epoch_key = jax.random.fold_in(jax.random.fold_in(key, SUBSAMPLE_STREAM), epoch)
        data, current = subsample(epoch_key, corpus, keep, eos), epoch
      compiles = steps not in calls
      if compiles:
        calls[steps] = training.make_train_chunk(cdf, eos, settings, schedule, steps)
      start = time.perf_counter()
      state, chunk = calls[steps](state, data, step_key)
      loss = float(chunk.loss.mean())
      seconds = time.perf_counter() - start
      if not math.isfinite(loss):
        raise ValueError(
          f"non-finite loss at step {int(state.step)}: lower train.learning_rate or "
          f"train.batch_size (the step adds up {train.batch_size} centres' updates)"
        )
      words_per_s = steps * train.batch_size / seconds
      if not compiles:  # words per second without compilation
        timed_words, timed_s = timed_words + steps * train.batch_size, timed_s + seconds
      losses.append(loss)
      rate_now = float(chunk.learning_rate[-1])
      record = dict(step=int(state.step), epoch=epoch, loss=loss, learning_rate=rate_now,
                    words_per_s=words_per_s)  # fmt: skip
      metrics.write(json.dumps(record) + "\n")
      logging.info("step %d (epoch %d): loss %.4f", record["step"], epoch, loss)
  embeddings = np.asarray(state.params.input)
  vectors.save(workdir / EMBEDDINGS_FILE, vocab.words, embeddings)
  summary = {
    "kind": model.kind, "data_path": str(path), "vocab_size": len(vocab),
    "corpus_words": int(counts.sum() - counts[eos]), "kept_words_per_epoch": kept_words,
    "epochs": total_steps / steps_per_epoch, "steps": int(state.step), "initial_loss": losses[0],
    "final_loss": losses[-1], "words_per_s": timed_words / timed_s if timed_s else None,
    "wall_s": time.perf_counter() - began, "backend": jax.default_backend(),
  }  # fmt: skip
  summary.update(_evaluation(config, vocab, embeddings))
  (workdir / "config.json").write_text(config.to_json(indent=2))
  (workdir / "summary.json").write_text(json.dumps(summary, indent=2))
  return summary


def _evaluation(config, vocab, embeddings) -> dict:
  """The grammar corpus's category closeness and a few words' nearest neighbours."""
  categories = grammar.word_categories() if not config.task.data_path else {}
  present = [w for w in vocab.words if w in categories]
  result = {}
  if len({categories[w] for w in present}) >= 2:
    result.update(queries.category_closeness(embeddings, vocab.words, categories))
  examples = present[:EXAMPLE_WORDS] or [w for w in vocab.words[2:]][:EXAMPLE_WORDS]
  result["neighbours"] = {
    w: [n for n, _ in queries.neighbours(embeddings, vocab.words, w, EXAMPLE_NEIGHBOURS)]
    for w in examples
  }
  return result
