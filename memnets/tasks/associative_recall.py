"""The associative recall task (Graves, Wayne, Danihelka 2014, Neural Turing Machines, §4.3).

An item is a short sequence of random binary vectors. The network sees a list
of items, then a query item, and must output the item that followed the query
in the list. In the paper each item is 3 vectors of 6 bits, each bit
Bernoulli(1/2), with 2 to 6 items per episode during training; each item is
bounded on the left and right by a delimiter, and the query is bounded by a
delimiter of a different kind. The "length" of an example is its number of
items K (at least 2, so that some item has a successor). The queried item is
drawn uniformly from the first K - 1. Items are not forced to be distinct:
with 18 random bits per item a repeated item is rare (about K^2 / 2^19).

Inputs have bits + 2 channels (data, item delimiter, query delimiter); W is the
item size in vectors. Layout of one example with K items, query index q:

  t = (W+1) k:                 item delimiter, for item k in [0, K)
  t = (W+1) k + 1 + j:         vector j of item k
  t = (W+1) K:                 query delimiter
  t = (W+1) K + 1 + j:         vector j of item q
  t = (W+1) K + W + 1:         query delimiter
  t = (W+1) K + W + 2 + j:     target = vector j of item q + 1, mask 1
  later steps:                 zeros, mask 0, up to T = (W+1) max_length + 2 W + 2
"""

import jax
import jax.numpy as jnp

from memnets.tasks import base

DEFAULT_BITS = 6
DEFAULT_ITEM_SIZE = 3
TRAIN_LENGTHS = (2, 6)
TEST_LENGTHS = (6, 8, 10, 12, 15, 20)
MIN_ITEMS = 2
BIT_PROBABILITY = 0.5


class AssociativeRecall(base.Task):
  """Recall the item that followed a query item in a list of items."""

  name = "associative_recall"
  loss = "bits"

  def __init__(
    self,
    bits: int = DEFAULT_BITS,
    item_size: int = DEFAULT_ITEM_SIZE,
    train_lengths: tuple[int, int] = TRAIN_LENGTHS,
    test_lengths: tuple[int, ...] = TEST_LENGTHS,
  ):
    """Initialises.

    Args:
      bits: width of each vector (6 in the paper).
      item_size: vectors per item (3 in the paper).
      train_lengths: closed `(min, max)` range of training item counts.
      test_lengths: item counts of the generalisation sweep.
    """
    if bits < 1 or item_size < 1:
      raise ValueError(
        f"associative_recall: bits and item_size must be >= 1, got {bits}, {item_size}"
      )
    self.bits = bits
    self.item_size = item_size
    self.input_size = bits + 2
    self.output_size = bits
    self.train_lengths = tuple(train_lengths)
    self.test_lengths = tuple(test_lengths)

  @property
  def min_length(self) -> int:
    return MIN_ITEMS

  def num_steps(self, max_length: int) -> int:
    return (self.item_size + 1) * max_length + 2 * self.item_size + 2

  def sample_lengths(self, key: jax.Array, lengths: jax.Array, max_length: int) -> base.Batch:
    """See `base.Task.sample_lengths`; `lengths` is the number of items (>= 2)."""
    self.check_length(max_length)
    batch_size = lengths.shape[0]
    num_steps = self.num_steps(max_length)
    width = self.item_size
    stride = width + 1
    item_key, query_key = jax.random.split(key)
    items_BxKxWxD = jax.random.bernoulli(
      item_key, BIT_PROBABILITY, (batch_size, max_length, width, self.bits)
    ).astype(jnp.float32)
    vectors_BxVxD = items_BxKxWxD.reshape(batch_size, max_length * width, self.bits)
    len_B = jnp.asarray(lengths, jnp.int32)
    # Query index uniform on [0, K - 2]: floor(u * (K - 1)) with u in [0, 1).
    u_B = jax.random.uniform(query_key, (batch_size,))
    query_B = jnp.minimum(jnp.floor(u_B * (len_B - 1)).astype(jnp.int32), len_B - 2)

    t_1xT = jnp.arange(num_steps)[None, :]
    len_Bx1 = len_B[:, None]
    query_Bx1 = query_B[:, None]
    list_end_Bx1 = stride * len_Bx1  # the first query delimiter

    def gather_vectors(index_BxT):
      index_BxT = jnp.clip(index_BxT, 0, max_length * width - 1)
      return jnp.take_along_axis(vectors_BxVxD, index_BxT[..., None], axis=1)

    # The list of items: delimiter then W vectors, for each of the K items.
    in_list_BxT = t_1xT < list_end_Bx1
    offset_1xT = t_1xT % stride
    item_delimiter_BxT = in_list_BxT & (offset_1xT == 0)
    list_vector_BxT = in_list_BxT & (offset_1xT > 0)
    list_index_BxT = (t_1xT // stride) * width + offset_1xT - 1

    # The query: delimiter, W vectors of item q, delimiter.
    query_offset_BxT = t_1xT - list_end_Bx1
    query_delimiter_BxT = (query_offset_BxT == 0) | (query_offset_BxT == width + 1)
    query_vector_BxT = (query_offset_BxT > 0) & (query_offset_BxT <= width)
    query_index_BxT = query_Bx1 * width + query_offset_BxT - 1

    data_in_BxTxD = jnp.where(
      list_vector_BxT[..., None],
      gather_vectors(list_index_BxT),
      jnp.where(query_vector_BxT[..., None], gather_vectors(query_index_BxT), 0.0),
    )
    inputs = jnp.concatenate(
      [
        data_in_BxTxD,
        item_delimiter_BxT.astype(jnp.float32)[..., None],
        query_delimiter_BxT.astype(jnp.float32)[..., None],
      ],
      axis=-1,
    )

    # The answer: the W vectors of item q + 1.
    answer_offset_BxT = query_offset_BxT - (width + 2)
    answer_BxT = (answer_offset_BxT >= 0) & (answer_offset_BxT < width)
    answer_index_BxT = (query_Bx1 + 1) * width + answer_offset_BxT
    targets = gather_vectors(answer_index_BxT) * answer_BxT[..., None]
    return base.Batch(inputs=inputs, targets=targets, mask=answer_BxT.astype(jnp.float32))
