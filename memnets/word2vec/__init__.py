"""word2vec: skip-gram and CBOW with negative sampling (Mikolov et al. 2013a, 2013b).

- `sampling`: the unigram^{3/4} noise distribution, subsampling of frequent
  words, windows of centre and context words drawn on the device.
- `losses`: the negative-sampling objective (2013b, eq. 4) of skip-gram and CBOW.
- `training`: SGD with the released code's linearly decaying learning rate.
- `queries`: cosine neighbours, analogies a − b + c, closeness within categories.
- `vectors`: the word2vec text format and initial embeddings for other models.
"""

from memnets.word2vec import losses, queries, sampling, training, vectors
from memnets.word2vec.vectors import initial_embeddings

__all__ = ["initial_embeddings", "losses", "queries", "sampling", "training", "vectors"]
