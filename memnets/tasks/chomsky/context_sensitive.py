"""The string-rearranging context-sensitive tasks of Delétang et al. 2023 (App. A).

"Neural Networks and the Chomsky Hierarchy", ICLR 2023, and the definitions of
its public task generators (binary arithmetic is in `binary_arithmetic`):
- duplicate_string: a binary string s; output ss (2L output steps).
- missing_duplicate_string: a binary string w of L // 2 tokens written twice, one
  of the 2 * (L // 2) tokens replaced by the placeholder 2, and for odd L the
  padding token 3 appended; one output step, the replaced token. For L = 1 the
  input is the single token 1 and the answer 1 (the paper's convention).
- odds_first: a binary string s_1 ... s_L; output the tokens at odd (1-based)
  positions, then those at even ones: s_1 s_3 s_5 ... s_2 s_4 ... (L output
  steps). This follows the paper's definition and examples (110 -> 10 1); the
  public generator code instead puts the 0-based odd positions first, and the
  published numbers were measured with the code's order.
- bucket_sort: a string over {0..4}; output it sorted ascending (L output steps).
All strings are drawn uniformly.
"""

import jax
import jax.numpy as jnp

from memnets.tasks.chomsky import encoding

BINARY = 2
PLACEHOLDER = 2  # missing_duplicate_string: the removed token
PADDING = 3  # missing_duplicate_string: appended for odd lengths
MISSING_VOCAB_SIZE = 4
BUCKET_VOCAB_SIZE = 5  # the paper sorts strings over 5 symbols


def _random_string(key: jax.Array, lengths: jax.Array, max_length: int, vocab_size: int):
  """[B, max_length] uniform tokens and [B, max_length] positions."""
  batch_size = lengths.shape[0]
  tokens_BxL = jax.random.randint(key, (batch_size, max_length), 0, vocab_size)
  return tokens_BxL, encoding.positions(batch_size, max_length)


class DuplicateString(encoding.ChomskyTask):
  """Output a binary string twice."""

  name = "duplicate_string"
  input_vocab_size = BINARY
  output_size = BINARY

  def output_length(self, length):
    return 2 * length

  def generate(self, key, lengths, max_length):
    tokens_BxL, pos_BxL = _random_string(key, lengths, max_length, BINARY)
    out_pos_BxO = jnp.concatenate([pos_BxL, pos_BxL + max_length], axis=1)
    outputs_BxO = jnp.take_along_axis(tokens_BxL, out_pos_BxO % lengths[:, None], axis=1)
    return encoding.Strings(tokens_BxL, lengths, outputs_BxO, 2 * lengths, 2 * lengths)


class MissingDuplicateString(encoding.ChomskyTask):
  """The token hidden by a placeholder in a binary string written twice."""

  name = "missing_duplicate_string"
  input_vocab_size = MISSING_VOCAB_SIZE
  output_size = BINARY

  def output_length(self, length):
    del length
    return 1

  def generate(self, key, lengths, max_length):
    batch_size = lengths.shape[0]
    string_key, index_key = jax.random.split(key)
    tokens_BxL, pos_BxL = _random_string(string_key, lengths, max_length, BINARY)
    halves_Bx1 = (lengths // 2)[:, None]
    doubled_BxL = jnp.take_along_axis(tokens_BxL, pos_BxL % jnp.maximum(halves_Bx1, 1), axis=1)
    hidden_B = jax.random.randint(index_key, (batch_size,), 0, jnp.maximum(2 * halves_Bx1[:, 0], 1))
    answers_B = jnp.take_along_axis(doubled_BxL, hidden_B[:, None], axis=1)[:, 0]

    inputs_BxL = jnp.where(pos_BxL == hidden_B[:, None], PLACEHOLDER, doubled_BxL)
    inputs_BxL = jnp.where(pos_BxL >= 2 * halves_Bx1, PADDING, inputs_BxL)
    is_single_B = lengths == 1
    inputs_BxL = jnp.where(is_single_B[:, None], 1, inputs_BxL)
    answers_B = jnp.where(is_single_B, 1, answers_B)
    ones_B = jnp.ones_like(lengths)
    return encoding.Strings(inputs_BxL, lengths, answers_B[:, None], ones_B, ones_B)


class OddsFirst(encoding.ChomskyTask):
  """Output s_1 s_3 s_5 ... s_2 s_4 ... of a binary string s_1 ... s_L."""

  name = "odds_first"
  input_vocab_size = BINARY
  output_size = BINARY

  def output_length(self, length):
    return length

  def generate(self, key, lengths, max_length):
    tokens_BxL, pos_BxL = _random_string(key, lengths, max_length, BINARY)
    num_odd_Bx1 = ((lengths + 1) // 2)[:, None]  # 1-based odd positions = 0-based even ones
    source_BxL = jnp.where(pos_BxL < num_odd_Bx1, 2 * pos_BxL, 2 * (pos_BxL - num_odd_Bx1) + 1)
    source_BxL = jnp.clip(source_BxL, 0, max_length - 1)
    outputs_BxL = jnp.take_along_axis(tokens_BxL, source_BxL, axis=1)
    return encoding.Strings(tokens_BxL, lengths, outputs_BxL, lengths, lengths)


class BucketSort(encoding.ChomskyTask):
  """Output a string over {0..4} sorted in increasing order."""

  name = "bucket_sort"
  input_vocab_size = BUCKET_VOCAB_SIZE
  output_size = BUCKET_VOCAB_SIZE

  def output_length(self, length):
    return length

  def generate(self, key, lengths, max_length):
    tokens_BxL, pos_BxL = _random_string(key, lengths, max_length, BUCKET_VOCAB_SIZE)
    # Padding positions sort after every real token.
    padded_BxL = jnp.where(pos_BxL < lengths[:, None], tokens_BxL, BUCKET_VOCAB_SIZE)
    outputs_BxL = jnp.sort(padded_BxL, axis=1) % BUCKET_VOCAB_SIZE
    return encoding.Strings(tokens_BxL, lengths, outputs_BxL, lengths, lengths)
