"""An RNN language model on the project's grammar corpus, against the grammar's optimum.

  python -m experiments.train --config=experiments/configs/lm_grammar.py --workdir=DIR
  [--config.model.cell=rnn|gru] [--config.task.data_path=your.txt --config.task.level=char]

The seed material's model: one-hot words, a hidden layer of 100, the
vocabulary capped at 8,000 words with an unknown token. The corpus is 100,000
sentences of `memnets.tasks.grammar` (10% held out); the best any model can
do on it is the grammar's perplexity, 6.43 per token (end-of-sentence
tokens included). Expected: the held-out perplexity approaches it within a
few thousand windows (docs/results.md has the measured rows).
"""

import ml_collections


def get_config(variant: str | None = None) -> ml_collections.ConfigDict:
  config = ml_collections.ConfigDict()
  config.model = ml_collections.ConfigDict()
  config.model.cell = "lstm"  # "rnn", "lstm" or "gru"
  config.model.hidden_size = 100  # the seed material's hidden layer
  config.model.embedding_size = 0  # 0: one-hot tokens straight into the cell; > 0: embedded first
  config.model.embeddings_path = (
    ""  # word2vec text file of embedding_size-long vectors to start from
  )

  config.task = ml_collections.ConfigDict()
  config.task.name = "language_model"  # trained by experiments.lm_run
  config.task.data_path = ""  # a UTF-8 text file; "": the grammar corpus, written to the workdir
  config.task.level = "word"  # "word" or "char" tokens
  config.task.max_vocab = 8000  # the vocabulary cap, EOS and the unknown token included; 0: none
  config.task.valid_fraction = 0.1  # the last lines held out for perplexity
  config.task.num_sentences = 100_000  # size of the grammar corpus (~640,000 tokens)
  config.task.corpus_seed = 0  # seed of the grammar corpus
  config.task.num_samples = 5  # sentences sampled into the summary
  config.task.sample_length = 30  # tokens per sample at most
  config.task.temperature = 1.0  # sampling temperature; 0: greedy

  config.optimizer = ml_collections.ConfigDict()
  config.optimizer.learning_rate = 3e-3  # Adam
  config.optimizer.clip_global_norm = 1.0

  config.train = ml_collections.ConfigDict()
  config.train.steps = 3000  # training windows
  config.train.batch_size = 32  # columns of the training stream
  config.train.window = 35  # tokens per truncated-BPTT window
  config.train.eval_every = 250  # steps between held-out perplexities
  config.train.eval_columns = 8  # columns the held-out stream is cut into
  config.train.seed = 0

  if variant == "smoke":
    config.model.hidden_size = 16
    config.task.num_sentences = 400
    config.train.steps = 60
    config.train.batch_size = 8
    config.train.window = 10
    config.train.eval_every = 30
    config.task.num_samples = 2
  elif variant is not None:
    raise ValueError(f"unknown variant {variant!r}; known: smoke")
  return config
