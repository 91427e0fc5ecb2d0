"""A sequence classifier: two cells read the sequence in opposite directions, one label.

`BidirectionalClassifier` runs `Bidirectional(cell, cell)` over the whole
input and classifies from the two final states' outputs: the forward cell's
output at the last step and the backward cell's at the first step, each of
which has read the whole sequence. A dense layer maps their concatenation
[h_fwd; h_bwd] to the class logits, which are repeated at every time step so
that the training loop's masked loss scores them wherever the task's mask is
1 (a classification task: the last step). It is a whole-sequence model:
`model(inputs [B, T, I]) -> logits [B, T, O]`, for fixed-length inputs (no
padding: the final states are taken at steps 0 and T − 1).
"""

import jax
import jax.numpy as jnp
from flax import nnx

from memnets.recurrent import cells
from memnets.recurrent.wrappers import Bidirectional, Stacked

CELLS = ("lstm", "gru", "rnn")


class BidirectionalClassifier(nnx.Module):
  """Forward and backward `cell`s (`num_layers` deep) and a dense layer on their final outputs."""

  def __init__(
    self,
    input_size: int,
    output_size: int,
    *,
    hidden_size: int = 128,
    num_layers: int = 1,
    cell: str = "lstm",
    rngs: nnx.Rngs,
  ):
    if cell not in CELLS:
      raise ValueError(f"cell: unknown cell {cell!r}; known: {CELLS}")
    make = cells.CONTROLLERS[cell]

    def direction() -> nnx.Module:
      if num_layers == 1:
        return make(input_size, hidden_size, rngs=rngs)
      return Stacked(make, input_size, hidden_size, num_layers, rngs=rngs)

    self.bidirectional = Bidirectional(direction(), direction())
    self.dense = nnx.Linear(self.bidirectional.output_size, output_size, rngs=rngs)
    self.input_size = input_size
    self.output_size = output_size

  def __call__(self, inputs_BxTxI: jax.Array) -> jax.Array:
    """Logits [B, T, O]: the same class logits at every step."""
    ys_BxTxH = self.bidirectional(inputs_BxTxI)
    forward_size = self.bidirectional.forward.output_size
    final_BxH = jnp.concatenate(
      [ys_BxTxH[:, -1, :forward_size], ys_BxTxH[:, 0, forward_size:]], axis=-1
    )
    logits_BxO = self.dense(final_BxH)
    return jnp.broadcast_to(logits_BxO[:, None, :], (*ys_BxTxH.shape[:2], self.output_size))
