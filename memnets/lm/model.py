"""An RNN language model (the seed material's: one-hot words, a hidden layer of 100, a softmax).

The text is one id stream (`memnets.tasks.text.stream`: every line's tokens,
then EOS; memnets puts one EOS in front so the first line has the same
context as the others). `columns` cuts it into B contiguous columns; training
walks each column in windows of W tokens and carries the recurrent state from
one window to the next (truncated backpropagation through time: gradients
stop at the window's start, the state does not). Perplexity is
exp(Σ −log p(token) / number of tokens) over every token of a split, never a
mean of per-batch perplexities.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
from flax import nnx

from memnets.recurrent import GRU, LSTM, RNN, Readout
from memnets.unrolling import unroll

CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
MIN_TEMPERATURE = 1e-3  # below this, sampling is taken as greedy decoding


class LanguageModel(nnx.Module):
  """p(token_t | tokens before t): a recurrent cell over tokens and a dense layer to V logits.

  `embedding_size` 0 feeds the one-hot tokens to the cell (its input weights
  are then the word vectors); > 0 embeds them first, a matrix that
  `set_embeddings` can fill with pretrained vectors (word2vec's).
  """

  def __init__(
    self, vocab_size: int, *, cell: str = "lstm", hidden_size: int = 100,
    embedding_size: int = 0, rngs: nnx.Rngs,
  ):  # fmt: skip
    if cell not in CELLS:
      raise ValueError(f"model.cell: unknown cell {cell!r}; known: {sorted(CELLS)}")
    if vocab_size < 2 or hidden_size < 1 or embedding_size < 0:
      raise ValueError(
        f"need vocab_size >= 2, hidden_size >= 1 and embedding_size >= 0; got {vocab_size}, "
        f"{hidden_size}, {embedding_size}"
      )
    self.vocab_size = vocab_size
    core = CELLS[cell](embedding_size or vocab_size, hidden_size, rngs=rngs)
    self.readout = Readout(
      core, vocab_size, embed_from=vocab_size if embedding_size else 0, rngs=rngs
    )

  def initial_state(self, batch_size: int):
    return self.readout.initial_state(batch_size)

  def __call__(self, state, ids_BxT: jax.Array):
    """(state after the last step, logits [B, T, V]) of the tokens `ids_BxT` from `state`."""
    one_hot_BxTxV = jax.nn.one_hot(ids_BxT, self.vocab_size, dtype=jnp.float32)
    return unroll(self.readout, one_hot_BxTxV, state)

  def set_embeddings(self, vectors_VxE) -> None:
    """Replaces the input embedding by `vectors_VxE` (row i: token i's vector)."""
    if self.readout.embed is None:
      raise ValueError(
        "model.embedding_size: 0 has no embedding to fill; set it to the vectors' size"
      )
    kernel = self.readout.embed.kernel
    vectors_VxE = jnp.asarray(vectors_VxE, kernel[...].dtype)
    if vectors_VxE.shape != kernel[...].shape:
      raise ValueError(
        f"embeddings of shape {vectors_VxE.shape}, the model's are {kernel[...].shape}"
      )
    kernel[...] = vectors_VxE


class Columns(NamedTuple):
  """A stream cut into B columns: inputs[b, t] is followed by targets[b, t]; mask 0 on padding."""

  inputs: np.ndarray  # [B, L] int32
  targets: np.ndarray  # [B, L] int32
  mask: np.ndarray  # [B, L] float32


def columns(ids: np.ndarray, batch_size: int, multiple: int = 1) -> Columns:
  """The N − 1 predictions of the stream `ids` [N] as B contiguous columns of L each.

  L is rounded up to a multiple of `multiple` (the window length); the
  padding after the stream's end has mask 0. Column b starts from the
  model's initial state, so its first tokens are predicted without context.
  """
  ids = np.asarray(ids, np.int32)
  predictions = len(ids) - 1
  if predictions < batch_size:
    raise ValueError(f"a stream of {len(ids)} tokens cannot fill {batch_size} columns")
  length = -(-predictions // batch_size)
  length = -(-length // multiple) * multiple
  pad = batch_size * length - predictions

  def cut(values, fill):
    return np.concatenate([values, np.full(pad, fill, values.dtype)]).reshape(batch_size, length)

  mask = np.ones(predictions, np.float32)
  return Columns(cut(ids[:-1], 0), cut(ids[1:], 0), cut(mask, 0.0))


def window_nll(model: LanguageModel, state, inputs_BxW, targets_BxW, mask_BxW):
  """(Σ −log p(target), state after the window): the summed loss of one window."""
  state, logits_BxWxV = model(state, inputs_BxW)
  log_probs = jax.nn.log_softmax(logits_BxWxV)
  picked_BxW = jnp.take_along_axis(log_probs, targets_BxW[..., None], axis=-1)[..., 0]
  return -jnp.sum(picked_BxW * mask_BxW), state


def stream_nll(model: LanguageModel, data: Columns, window: int) -> tuple[jax.Array, jax.Array]:
  """(Σ −log p over every token of `data`, number of tokens), the state carried through windows."""
  batch, length = data.inputs.shape
  if length % window:
    raise ValueError(f"columns of length {length} are not a multiple of the window {window}")

  def body(state, chunk):
    nll, state = window_nll(model, state, *chunk)
    return state, nll

  chunks = [jnp.asarray(a).reshape(batch, length // window, window).swapaxes(0, 1) for a in data]
  _, nlls = jax.lax.scan(body, model.initial_state(batch), tuple(chunks))
  return jnp.sum(nlls), jnp.sum(jnp.asarray(data.mask))


def perplexity(model: LanguageModel, data: Columns, window: int) -> float:
  """exp(total negative log-likelihood / number of tokens) of `data`."""
  nll, count = stream_nll(model, data, window)
  return float(jnp.exp(nll / count))


def sentence_log_probs(model: LanguageModel, ids_BxT: jax.Array, lengths_B: jax.Array, eos: int):
  """log p(sentence, then EOS | a preceding EOS) of each padded sentence: [B] nats."""
  batch, width = ids_BxT.shape
  steps = jnp.arange(width + 1)
  padded = jnp.concatenate([ids_BxT, jnp.zeros((batch, 1), ids_BxT.dtype)], axis=1)
  targets = jnp.where(steps[None] == lengths_B[:, None], eos, padded)
  inputs = jnp.concatenate([jnp.full((batch, 1), eos, ids_BxT.dtype), targets[:, :-1]], axis=1)
  mask = (steps[None] <= lengths_B[:, None]).astype(jnp.float32)
  _, logits = model(model.initial_state(batch), inputs)
  picked = jnp.take_along_axis(jax.nn.log_softmax(logits), targets[..., None], axis=-1)[..., 0]
  return jnp.sum(picked * mask, axis=1)


def sample(
  model: LanguageModel, key: jax.Array, eos: int, max_length: int, temperature: float = 1.0
):
  """Token ids [max_length] drawn one at a time after an EOS, from softmax(logits / temperature).

  A temperature below MIN_TEMPERATURE takes the most likely token. The
  caller cuts the result at its first EOS (the end of the sentence).
  """

  def body(carry, step_key):
    state, previous = carry
    state, logits = model(state, previous[:, None])
    logits = logits[:, 0]
    if temperature < MIN_TEMPERATURE:
      token = jnp.argmax(logits, axis=-1)
    else:
      token = jax.random.categorical(step_key, logits / temperature)
    token = token.astype(jnp.int32)
    return (state, token), token[0]

  start = (model.initial_state(1), jnp.full((1,), eos, jnp.int32))
  _, tokens = jax.lax.scan(body, start, jax.random.split(key, max_length))
  return tokens
