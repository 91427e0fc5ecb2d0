"""How a Chomsky-hierarchy task is laid out in time (Delétang et al. 2023).

Delétang et al. 2023, "Neural Networks and the Chomsky Hierarchy" (ICLR), §3 and
App. A: every task maps an input string over a small vocabulary to an output
string (a single class for the regular tasks and for `solve_equation`,
`modular_arithmetic_brackets` and `missing_duplicate_string`); models are
trained on lengths drawn uniformly from [1, 40] and tested on every length from
41 to 500. The paper feeds the input string and then reads the output from a
second phase of `output_length` steps; we do the same in one `Batch`.

Layout of one example whose input string has n tokens and whose output phase
has m steps, of which the first s are scored (V input symbols, so I = V + 1):

  t in [0, n):        inputs = one_hot(x_t, V) ++ (0)   targets = 0          mask = 0
  t in [n, n + m):    inputs = 0 ++ (1)                 targets = y_{t - n}  mask = [t - n < s]
  t in [n + m, T):    inputs = 0, targets = 0, mask = 0 (padding up to T)

Channel V is the "output phase / blank" channel: it is 1 at every step of the
output phase and 0 elsewhere. `targets` hold the paper's whole output string over
the output phase (including its zero padding after a termination token); `mask`
is the paper's accuracy mask: every output step, or, for the tasks that end
their answer with a termination token (stack manipulation, binary addition and
multiplication), the steps up to and including that token.
T = max_length + output_length(max_length), so padded shapes depend only on
`max_length`.
"""

import abc
from typing import NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from memnets.tasks import base

TRAIN_LENGTHS = (1, 40)  # the paper trains on lengths drawn uniformly from [1, 40]
TEST_LENGTHS = tuple(range(41, 501))  # ... and tests on every length in [41, 500]


class Strings(NamedTuple):
  """A batch of input/output token strings before encoding.

  inputs: [B, max_length] int32 input tokens; entries at positions >= input_lengths are ignored.
  input_lengths: [B] int32 number of input tokens n of each example.
  outputs: [B, output_length(max_length)] int32 output tokens; ignored past output_lengths.
  output_lengths: [B] int32 number of output-phase steps m of each example.
  scored_lengths: [B] int32 number s <= m of leading output steps that are scored.
  """

  inputs: jax.Array
  input_lengths: jax.Array
  outputs: jax.Array
  output_lengths: jax.Array
  scored_lengths: jax.Array


def encode(
  strings: Strings, input_vocab_size: int, output_vocab_size: int, max_length: int
) -> base.Batch:
  """Lays token strings out in time as described in the module docstring.

  Args:
    strings: the batch of token strings; `strings.inputs` is [B, max_length].
    input_vocab_size: V; inputs get V + 1 channels (the last is the output-phase flag).
    output_vocab_size: O, the number of target classes.
    max_length: static maximal input length; T = max_length + outputs.shape[1].

  Returns:
    Batch with inputs [B, T, V + 1], targets [B, T, O], mask [B, T].
  """
  max_output_length = strings.outputs.shape[1]
  num_steps = max_length + max_output_length
  t_1xT = jnp.arange(num_steps)[None, :]
  n_Bx1 = jnp.asarray(strings.input_lengths, jnp.int32)[:, None]
  m_Bx1 = jnp.asarray(strings.output_lengths, jnp.int32)[:, None]
  s_Bx1 = jnp.asarray(strings.scored_lengths, jnp.int32)[:, None]

  in_phase_BxT = t_1xT < n_Bx1
  in_src_BxT = jnp.broadcast_to(jnp.clip(t_1xT, 0, max_length - 1), in_phase_BxT.shape)
  tokens_BxT = jnp.take_along_axis(strings.inputs, in_src_BxT, axis=1)
  symbols_BxTxV = jax.nn.one_hot(tokens_BxT, input_vocab_size) * in_phase_BxT[..., None]

  out_pos_BxT = t_1xT - n_Bx1
  out_phase_BxT = (out_pos_BxT >= 0) & (out_pos_BxT < m_Bx1)
  out_src_BxT = jnp.clip(out_pos_BxT, 0, max_output_length - 1)
  answer_BxT = jnp.take_along_axis(strings.outputs, out_src_BxT, axis=1)
  targets = jax.nn.one_hot(answer_BxT, output_vocab_size) * out_phase_BxT[..., None]

  flag_BxTx1 = out_phase_BxT[..., None].astype(jnp.float32)
  inputs = jnp.concatenate([symbols_BxTxV, flag_BxTx1], axis=-1)
  mask = (out_pos_BxT >= 0) & (out_pos_BxT < s_Bx1)
  return base.Batch(
    inputs=inputs.astype(jnp.float32),
    targets=targets.astype(jnp.float32),
    mask=mask.astype(jnp.float32),
  )


def positions(batch_size: int, size: int) -> jax.Array:
  """[B, size] int32 array whose row entries are 0, 1, ..., size - 1."""
  return jnp.broadcast_to(jnp.arange(size, dtype=jnp.int32), (batch_size, size))


class ChomskyTask(base.Task):
  """A task of the suite: a token-string generator plus the shared encoding.

  Subclasses set `name`, `input_vocab_size`, `output_size` and implement
  `output_length` (static, for padded shapes) and `generate`.
  """

  loss = "categorical"
  input_vocab_size: int

  def __init__(
    self,
    train_lengths: tuple[int, int] = TRAIN_LENGTHS,
    test_lengths: tuple[int, ...] = TEST_LENGTHS,
  ):
    """Initialises.

    Args:
      train_lengths: closed `(min, max)` training range (the paper's [1, 40], or the
        task's minimum length if that is larger).
      test_lengths: lengths of the generalisation sweep (the paper's 41..500).
    """
    low, high = (int(v) for v in train_lengths)
    self.train_lengths = (max(low, self.min_length), high)
    self.test_lengths = tuple(int(v) for v in test_lengths)
    self.input_size = self.input_vocab_size + 1
    self.output_phase_channel = self.input_vocab_size

  @abc.abstractmethod
  def output_length(self, length: int) -> int:
    """Number of output-phase steps for an input of `length` tokens (static)."""

  @abc.abstractmethod
  def generate(self, key: jax.Array, lengths: jax.Array, max_length: int) -> Strings:
    """Samples token strings; same arguments as `sample_lengths`."""

  def num_steps(self, max_length: int) -> int:
    return max_length + self.output_length(max_length)

  def sample_lengths(self, key: jax.Array, lengths: jax.Array, max_length: int) -> base.Batch:
    """See `base.Task.sample_lengths` and the layout in the module docstring."""
    self.check_length(max_length)
    lengths = jnp.asarray(lengths, jnp.int32)
    strings = self.generate(key, lengths, max_length)
    return encode(strings, self.input_vocab_size, self.output_size, max_length)


class Example(NamedTuple):
  """One decoded example (plain Python), see `decode`."""

  inputs: list[int]  # the input string
  output_steps: int  # number of output-phase steps m
  targets: list[int]  # target tokens of all m output-phase steps
  scored: list[int]  # target tokens of the scored steps (a prefix of `targets`)


def decode(batch: base.Batch) -> list[Example]:
  """Reads a `Batch` back into token strings, checking the layout of `encode`.

  For inspection and tests (numpy, not jit-able).

  Raises:
    ValueError: if an example does not follow the layout in the module docstring.
  """
  inputs, targets, mask = (np.asarray(a) for a in batch)
  symbols, flags = inputs[..., :-1], inputs[..., -1]
  examples = []
  for i in range(inputs.shape[0]):
    is_symbol = symbols[i].sum(-1) == 1
    n = int(np.argmin(np.append(is_symbol, False)))
    m = int(np.argmin(np.append(flags[i, n:] == 1, False)))
    s = int(np.argmin(np.append(mask[i, n:] == 1, False)))
    t = np.arange(inputs.shape[1])
    in_out_phase = (t >= n) & (t < n + m)
    problems = {
      "input values outside {0, 1}": not np.isin(inputs[i], (0.0, 1.0)).all(),
      "symbol and flag on the same step": (flags[i][is_symbol] != 0).any(),
      "nonzero input after the output phase": inputs[i, n + m :].any(),
      "symbols in the output phase": symbols[i, n : n + m].any(),
      "mask outside a prefix of the output phase": mask[i].sum() != s or s > m,
      "targets not one-hot in the output phase": not (targets[i][in_out_phase].sum(-1) == 1).all(),
      "targets outside the output phase": targets[i][~in_out_phase].any(),
    }
    wrong = [name for name, failed in problems.items() if failed]
    if wrong:
      raise ValueError(f"example {i}: {', '.join(wrong)}")
    answer = [int(v) for v in targets[i, n : n + m].argmax(-1)]
    tokens = [int(v) for v in symbols[i, :n].argmax(-1)]
    examples.append(Example(inputs=tokens, output_steps=m, targets=answer, scored=answer[:s]))
  return examples
