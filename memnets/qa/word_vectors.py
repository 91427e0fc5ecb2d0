"""Pretrained word vectors (word2vec's) as the starting word embeddings of a bAbI model."""

import jax.numpy as jnp
from flax import nnx

from memnets.qa.dmn import DMNPlus
from memnets.qa.memn2n import MemN2N


def set_word_vectors(model: nnx.Module, vectors_VxD) -> None:
  """Starts `model`'s word embeddings at `vectors_VxD` (row i: the vector of word id i).

  MemN2N: every embedding table (A, B, C of every hop, tied as configured)
  gets the same vectors; DMN+: its one embedding. Row 0, the nil word, is
  set to zero, as the models keep it. A recurrent reader takes one-hot words
  and has no table: ValueError.
  """
  vectors_VxD = jnp.asarray(vectors_VxD, jnp.float32).at[0].set(0.0)
  if isinstance(model, MemN2N):
    tables = list(model.words)
  elif isinstance(model, DMNPlus):
    tables = [model.embedding.embedding]
  else:
    raise ValueError(
      f"model.embeddings_path: {type(model).__name__} reads one-hot words and has no embedding"
    )
  for table in tables:
    if table[...].shape != vectors_VxD.shape:
      raise ValueError(
        f"model.embeddings_path: vectors of shape {vectors_VxD.shape}, the model's words are "
        f"{table[...].shape}"
      )
    table[...] = vectors_VxD
