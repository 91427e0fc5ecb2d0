"""word2vec (skip-gram or CBOW, negative sampling) on the probabilistic grammar's corpus.

Command:
  python -m experiments.train --config=experiments/configs/word2vec_grammar.py \\
    --workdir=/tmp/word2vec_grammar [--config.model.kind=cbow] [--config.task.data_path=FILE]
  (`:smoke` for a seconds-long check on 500 sentences.)

Paper (Mikolov et al. 2013a, b) and the released word2vec.c: negative
sampling with k = 5 noise words (§2.2: 5–20 for small data) from the
unigram^{3/4} distribution, subsampling threshold t = 1e-3 (the code's
default; §2.3 uses 1e-5 on billions of words), windows of at most 5 words,
100 dimensions, 5 epochs, SGD from α₀ = 0.025 (skip-gram) or 0.05 (CBOW)
falling linearly to α₀ · 1e-4. Ours: a step is 256 centres drawn at random
(the code visits them in order, one at a time), and the code's subsampling
formula (`memnets.word2vec.sampling`).

Expected: words of one grammar category (same preterminal, hence the same
contexts) are closer than words of different categories: the summary's
`same_category_cosine` above `different_category_cosine`, and most words'
nearest neighbour in their own category. A minute on a CPU.
"""

import ml_collections

from experiments import configs


def get_config(arg: str | None = None):
  configs.check_variant(arg)
  config = ml_collections.ConfigDict()
  config.task = ml_collections.ConfigDict()
  config.task.name = "word2vec"  # experiments.word2vec_run
  config.task.data_path = ""  # a plain-text file, one sentence a line; "": the grammar corpus
  config.task.level = "word"  # tokens: words (or "char")
  config.task.num_sentences = 20_000  # sentences of the generated grammar corpus
  config.task.corpus_seed = 0  # seed of the generated corpus
  config.task.max_vocab = 0  # the most frequent words kept, specials included; 0: no cap
  config.task.min_count = 5  # words seen fewer times are dropped (the code's -min-count 5)

  config.model = ml_collections.ConfigDict()
  config.model.name = "word2vec"  # memnets.word2vec
  config.model.kind = "skipgram"  # skipgram | cbow
  config.model.dim = 100  # vector size (the code's -size 100; the papers: up to 300, 1000)
  config.model.window = 5  # largest window W; each centre draws its size from 1..W
  config.model.negatives = 5  # noise words k per positive word (§2.2: 5–20 for small data)
  config.model.sample = 1e-3  # subsampling threshold t (the code's default; §2.3: 1e-5); 0: off
  config.model.subsampling = "code"  # keep sqrt(t/f) + t/f (released code) | "paper": sqrt(t/f)
  config.model.context_gradient = "code"  # CBOW: each context gets the whole gradient | "mean"

  config.train = ml_collections.ConfigDict()
  config.train.epochs = 5  # passes over the corpus (the code's -iter 5)
  config.train.steps = 0  # > 0: train this many steps instead (α decays over them)
  config.train.batch_size = 256  # centre words per SGD step (their updates are added up)
  config.train.learning_rate = 0.0  # α₀; 0: the code's 0.025 (skip-gram) or 0.05 (CBOW)
  config.train.seed = 0  # initial vectors, subsampling and batches
  config.train.log_every = 50  # steps per compiled call and per metrics line
  if arg == configs.SMOKE:
    config.task.num_sentences = 500
    config.model.dim = 16
    config.train.epochs = 2
    config.train.batch_size = 32
    config.train.log_every = 100  # one compiled call (and metrics line) per epoch
  return config
