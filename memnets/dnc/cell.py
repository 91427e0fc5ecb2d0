"""The Differentiable Neural Computer cell (Graves et al. 2016, Nature, Methods).

A controller (any cell of `memnets.recurrent.CONTROLLERS`) reads the input and
the previous step's R read vectors; ONE dense layer maps its output to the
raw interface vector ξ (`access.interface`: keys, oneplus strengths, sigmoid
erase, free, allocation and write gates, softmax read modes); the memory then
steps as in the Methods (`access.step`: retention, usage, allocation, write,
links, reads), and the output is y = W [h ⊕ r^1 … r^R], the paper's
v_t + W_r [r^1 … r^R] as one layer. One write head.

As in DeepMind's public DNC, the controller's output and the output logits are
clipped to ±`controller_clip` and ±`output_clip` (20 in its training script;
an LSTM's output is already in (−1, 1), so the first clip bounds only other
controllers). The paper instead clips the gradient with respect to the
controller's activations to [−10, 10]; memnets clips the global gradient norm
(`optimizer.clip_global_norm`). The interface and output layers have biases,
which the paper's equations leave out.

Initial state: an empty memory (zeros), zero usage, links, precedence and
weightings, zero read vectors, the controller's zero state.
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx

from memnets import recurrent
from memnets.dnc import access
from memnets.dnc.sparse_link import SparseLink, to_dense

# Clip of the controller output and of the logits (DeepMind's DNC train script: 20).
DEFAULT_CLIP = 20.0


class DNCState(NamedTuple):
  controller: Any  # the controller cell's own state
  memory: jax.Array  # [B, N, M]
  usage: jax.Array  # [B, N]
  link: jax.Array | SparseLink  # [B, N, N] temporal link, or [B, N, K] pairs
  precedence: jax.Array  # [B, N]
  read_weights: jax.Array  # [B, R, N]
  write_weights: jax.Array  # [B, N]
  reads: jax.Array  # [B, R, M] the last step's read vectors


def _clip(x: jax.Array, bound: float | None) -> jax.Array:
  return x if not bound else jnp.clip(x, -bound, bound)


def _memory_of(state: DNCState) -> access.Memory:
  return access.Memory(
    memory=state.memory,
    usage=state.usage,
    link=state.link,
    precedence=state.precedence,
    read_weights=state.read_weights,
    write_weights=state.write_weights,
  )


_interface_batch = jax.vmap(access.interface, in_axes=(0, None, None))
_step_batch = jax.vmap(access.step)


class DNCCell(nnx.Module):
  """DNC with R read heads, one write head and an N × M memory.

  Args:
    input_size, output_size: I and O.
    controller: "lstm", "gru", "rnn" or "feedforward" (recurrent.CONTROLLERS).
    controller_size, controller_layers: width and depth of the controller
      (the paper's bAbI DNC: one LSTM layer of 256). A deep controller is
      wired as in the Methods: every layer sees the input and read vectors,
      and the interface and output read all layers' outputs.
    memory_size, word_size: N slots of M numbers (bAbI: 256 × 64).
    num_read_heads: R (bAbI: 4).
    controller_clip, output_clip: clips of the controller output and of the
      logits; None or 0: no clip.
    sparse_link: 0: the dense N × N link; K > 0: the Methods' sparse link
      with K entries per row (`memnets.dnc.sparse_link`; O(N K²) per step
      instead of O(N²)); K = N gives the dense link's values.
    rngs: parameter initialisation.
  """

  def __init__(
    self,
    input_size: int,
    output_size: int,
    *,
    controller: str = "lstm",
    controller_size: int = 256,
    controller_layers: int = 1,
    memory_size: int = 256,
    word_size: int = 64,
    num_read_heads: int = 4,
    controller_clip: float | None = DEFAULT_CLIP,
    output_clip: float | None = DEFAULT_CLIP,
    sparse_link: int = 0,
    rngs: nnx.Rngs,
  ):
    if controller not in recurrent.CONTROLLERS:
      raise ValueError(
        f"controller: unknown {controller!r}; known: {sorted(recurrent.CONTROLLERS)}"
      )
    for name, value in [
      ("controller_size", controller_size),
      ("controller_layers", controller_layers),
      ("memory_size", memory_size),
      ("word_size", word_size),
      ("num_read_heads", num_read_heads),
    ]:
      if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    for name, value in [("controller_clip", controller_clip), ("output_clip", output_clip)]:
      if value is not None and value < 0:
        raise ValueError(f"{name} must be >= 0 (0 or None: no clip), got {value}")
    if not 0 <= sparse_link <= memory_size:
      raise ValueError(
        f"sparse_link must be in [0, memory_size={memory_size}] (0: dense link), got {sparse_link}"
      )
    self.input_size = input_size
    self.sparse_link = sparse_link
    self.output_size = output_size
    self.memory_size = memory_size
    self.word_size = word_size
    self.num_read_heads = num_read_heads
    self.controller_clip = controller_clip
    self.output_clip = output_clip
    make = recurrent.CONTROLLERS[controller]
    ctrl_in = input_size + num_read_heads * word_size
    if controller_layers == 1:
      self.controller = make(ctrl_in, controller_size, rngs=rngs)
    else:
      self.controller = recurrent.Stacked(
        make, ctrl_in, controller_size, controller_layers, skip_connections=True, rngs=rngs
      )
    hidden = self.controller.output_size
    self.interface = nnx.Linear(hidden, access.interface_size(num_read_heads, word_size), rngs=rngs)
    self.output = nnx.Linear(hidden + num_read_heads * word_size, output_size, rngs=rngs)

  def initial_state(self, batch_size: int) -> DNCState:
    """An empty memory with zero usage, links, precedence, weightings and reads."""
    empty = access.initial_memory(
      self.memory_size, self.word_size, self.num_read_heads, self.sparse_link
    )
    batch = lambda x: jax.tree.map(  # noqa: E731
      lambda a: jnp.broadcast_to(a, (batch_size, *a.shape)), x
    )
    return DNCState(
      controller=self.controller.initial_state(batch_size),
      memory=batch(empty.memory),
      usage=batch(empty.usage),
      link=batch(empty.link),
      precedence=batch(empty.precedence),
      read_weights=batch(empty.read_weights),
      write_weights=batch(empty.write_weights),
      reads=jnp.zeros((batch_size, self.num_read_heads, self.word_size), jnp.float32),
    )

  def memory_rows(self, state: DNCState) -> jax.Array:
    """The memory of `state`, [B, N, M]."""
    return state.memory

  def __call__(self, state: DNCState, x: jax.Array) -> tuple[DNCState, jax.Array]:
    new_state, y, _, _ = self._step(state, x)
    return new_state, y

  def _step(self, state: DNCState, x: jax.Array):
    """One step: (new state, logits, the interface, the memory step's weightings)."""
    batch_size = x.shape[0]
    prev_reads = state.reads.reshape(batch_size, -1)
    ctrl_state, h = self.controller(state.controller, jnp.concatenate([x, prev_reads], -1))
    h = _clip(h, self.controller_clip)
    xi = _interface_batch(self.interface(h), self.num_read_heads, self.word_size)
    out = _step_batch(_memory_of(state), xi)
    y = self.output(jnp.concatenate([h, out.reads.reshape(batch_size, -1)], -1))
    new = out.memory
    new_state = DNCState(
      controller=ctrl_state,
      memory=new.memory,
      usage=new.usage,
      link=new.link,
      precedence=new.precedence,
      read_weights=new.read_weights,
      write_weights=new.write_weights,
      reads=out.reads,
    )
    return new_state, _clip(y, self.output_clip), xi, out

  def trace(self, xs_BxTxI: jax.Array) -> dict[str, jax.Array]:
    """Every step's memory internals on a batch [B, T, I], for plots; batch-major.

    Returns `read_weights` [B, T, R, N], `write_weights` and `usage` [B, T, N],
    `allocation` and `write_content` [B, T, N] (the two weightings the write
    mixes), `free_gates` [B, T, R], `allocation_gate` and `write_gate` [B, T],
    `read_modes` [B, T, R, 3] (backward, content, forward), `logits`
    [B, T, O], and `link` [B, N, N] after the last step (dense also when
    the cell keeps it sparse).
    """

    def body(state, x):
      new_state, y, xi, out = self._step(state, x)
      seen = {
        "read_weights": new_state.read_weights,
        "write_weights": new_state.write_weights,
        "usage": new_state.usage,
        "allocation": out.allocation,
        "write_content": out.write_content,
        "free_gates": xi.free_gates,
        "allocation_gate": xi.allocation_gate,
        "write_gate": xi.write_gate,
        "read_modes": xi.read_modes,
        "logits": y,
      }
      return new_state, seen

    final, seen = jax.lax.scan(
      body, self.initial_state(xs_BxTxI.shape[0]), jnp.swapaxes(xs_BxTxI, 0, 1)
    )
    out = {name: jnp.swapaxes(value, 0, 1) for name, value in seen.items()}
    link = final.link
    out["link"] = jax.vmap(to_dense)(link) if isinstance(link, SparseLink) else link
    return out
