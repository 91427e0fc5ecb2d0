"""Scores sentences with, and samples text from, a trained language model: the query binary.

  python -m experiments.lm_query --workdir=DIR --sentence="the dog runs" --sentence="dog the runs"
  python -m experiments.lm_query --workdir=DIR --samples=5 --temperature=0.7

`--workdir` is a finished `experiments.train` run of a language-model config
(experiments/configs/lm_grammar.py). Each sentence is tokenised as the run's
text was and scored as log p(its tokens, then EOS | a preceding EOS), in
nats, with its perplexity per token; words outside the vocabulary count as
the unknown token (said in the output). Samples are drawn after an EOS up to
the next one.
"""

import sys

import jax
import jax.numpy as jnp
import numpy as np
from absl import app, flags

from experiments import cli, lm_run, platform
from memnets.lm import model as lm_model
from memnets.tasks import text

_WORKDIR = flags.DEFINE_string("workdir", None, "A finished language-model run.")
_SENTENCES = flags.DEFINE_multi_string("sentence", [], "A sentence to score (repeatable).")
_SAMPLES = flags.DEFINE_integer("samples", 0, "Sentences to sample.", lower_bound=0)
_TEMPERATURE = flags.DEFINE_float("temperature", 1.0, "Sampling temperature; 0: greedy.", 0.0)
_MAX_LENGTH = flags.DEFINE_integer("max_length", 40, "Tokens per sample at most.", lower_bound=1)
_SEED = flags.DEFINE_integer("seed", 0, "Seed of the samples.")
flags.mark_flags_as_required(["workdir"])


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"Unexpected arguments: {argv[1:]}")
  platform.setup()
  cli.quiet_checkpoint_logs()
  try:
    run = lm_run.restore(_WORKDIR.value)
  except FileNotFoundError as error:
    sys.exit(f"error: {error}")
  level, vocabulary = run.config.task.level, run.vocabulary
  for sentence in _SENTENCES.value:
    tokens = text.tokenize(sentence, level)
    unknown = [t for t in tokens if t not in vocabulary]
    ids = jnp.asarray(vocabulary.encode(tokens)[None] if tokens else np.zeros((1, 0), np.int32))
    (score,) = lm_model.sentence_log_probs(
      run.model, ids, jnp.asarray([len(tokens)]), vocabulary.id(text.EOS)
    )
    note = f"  (unknown: {', '.join(unknown)})" if unknown else ""
    print(f"{float(score):.3f} nats, perplexity {np.exp(-float(score) / (len(tokens) + 1)):.3f}"
          f"  {sentence}{note}")  # fmt: skip
  keys = jax.random.split(jax.random.key(_SEED.value), max(_SAMPLES.value, 1))
  for key in keys[: _SAMPLES.value]:
    print(
      lm_run.sample_text(run.model, vocabulary, key, _MAX_LENGTH.value, _TEMPERATURE.value, level)
    )


if __name__ == "__main__":
  app.run(main)
