"""An attention encoder-decoder on two parallel text files (a source and a target, one sentence per line).

  python -m experiments.train --config=experiments/configs/attention_text.py --workdir=DIR
  [--config.task.source_path=src.txt --config.task.target_path=tgt.txt] [--config.model.attention=False]

Bahdanau et al. 2015's model at a small size (as attention_reverse.py) over
one-hot words: line i of the source file translates to line i of the target
file; pairs with more than `task.max_tokens` tokens on a side are left out,
the last `task.valid_fraction` held out, and a vocabulary per side is built
from the training pairs (capped, the rest one unknown token). Without files,
the corpus is the project's grammar and its toy translation
(`memnets.tasks.grammar.translate`: a lexicon, and adjectives moved after
their noun in reverse order), written to the workdir. Scored on the held-out
pairs: exact match, token accuracy, perplexity; `translations.txt` holds the
greedy translation of each held-out source line.
"""

import ml_collections

from experiments.configs import attention_reverse


def get_config(variant: str | None = None) -> ml_collections.ConfigDict:
  config = attention_reverse.get_config()
  config.task = ml_collections.ConfigDict()
  config.task.name = "seq2seq"  # trained by experiments.seq2seq_run
  config.task.source = "parallel_text"
  config.task.source_path = ""  # UTF-8 text, one sentence per line; "": the grammar's corpus
  config.task.target_path = ""  # its translations, line by line
  config.task.level = "word"  # "word" or "char" tokens
  config.task.max_vocab = 8000  # per side, the unknown token (and the target's end) included
  config.task.max_tokens = 50  # longer pairs are left out (on either side)
  config.task.valid_fraction = 0.1  # the last pairs held out for scoring
  config.task.num_sentences = 20000  # the grammar's corpus, when no files are given
  config.task.corpus_seed = 0
  config.train.eval_sequences = 256  # held-out pairs per compiled scoring call

  if variant == "smoke":
    config.model.hidden_size = 8
    config.model.attention_size = 8
    config.task.num_sentences = 200
    config.task.max_tokens = 12
    config.train.steps = 30
    config.train.eval_every = 15
    config.train.eval_sequences = 16
    config.train.beam_width = 2
  elif variant is not None:
    raise ValueError(f"unknown variant {variant!r}; known: smoke")
  return config
