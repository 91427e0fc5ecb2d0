"""The Neural Turing Machine cell (Graves, Wayne & Danihelka 2014).

A controller (feed-forward or any recurrent baseline cell) reads the input and
the previous step's read vectors, and emits, through ONE fused dense layer, the
parameters of every head (§3.3, "Focusing by content" and "by location"):

  key k tanh [M], strength β softplus, gate g sigmoid, shift s softmax [S],
  sharpening γ 1 + softplus; write heads also erase e sigmoid [M], add a tanh [M].

Each step: write heads address the previous memory and write (erase then add,
`memory.write`), then read heads address the new memory and read, so a read can
see this step's write; with `read_first` the read heads address and read the
previous memory instead (the order of the public implementations of Collier &
Beel 2018 and pytorch-ntm). By default the whole access runs as one call of
`fused.access` (all heads and the batch at once, hand-written gradient);
`fused=False` runs the per-example reference functions instead.
Output y = dense(controller output ⊕ read vectors).
The controller output, the heads' raw parameters and the output logits may each be
clipped (`controller_clip`, `head_clip`, `output_clip`; Collier & Beel 2018 clip
the last two at ±20).

Initial state: by default every head focused on slot 0, reads of that slot and
the controller's zero state, none of them trained. With
`learned_initial_state`, as in the paper ("bias values") and Collier & Beel,
they are parameters: weightings softmax(b) with b drawn small and uniform
(Glorot over [1, N], so the heads start nearly uniform but not exactly, which
would leave nothing to break the slots' symmetry), read vectors tanh(b) and
the controller's state tanh(b), both from b = 0.
"""

import functools
import math
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
from flax import nnx

from memnets import recurrent
from memnets.ntm import addressing, memory
from memnets.ntm import fused as fused_access

# Default clip of the controller's output (Collier & Beel 2018 clip at 20).
DEFAULT_CONTROLLER_CLIP = 20.0


class NTMState(NamedTuple):
  controller: Any  # the controller cell's own state
  memory: jax.Array  # [B, M, N] word-major: memory[b, :, i] is slot i
  read_weights: jax.Array  # [B, R, N] weightings of the last step's reads
  write_weights: jax.Array  # [B, W, N] weightings of the last step's writes
  reads: jax.Array  # [B, R, M] the last step's read vectors


# Addressing for a batch of heads: vmapped over heads (memory shared), then batch.
_address_heads = jax.vmap(addressing.address, in_axes=(None, 0, 0, 0, 0, 0, 0))
_address_batch = jax.vmap(_address_heads)


def _clip(x: jax.Array, bound: float | None) -> jax.Array:
  """`x` clipped to [-bound, bound]; unchanged when bound is None or 0."""
  return x if not bound else jnp.clip(x, -bound, bound)


def _focus(heads: fused_access.Heads) -> tuple[jax.Array, ...]:
  """The arguments of `addressing.address` after the memory and w_prev, in its order."""
  return heads.key, heads.beta, heads.gate, heads.shift, heads.gamma


class NTMCell(nnx.Module):
  """NTM with R read heads, W write heads and an N × M memory.

  Args:
    input_size, output_size: I and O.
    controller: "lstm", "gru", "rnn" or "feedforward" (recurrent.CONTROLLERS).
    controller_size, controller_layers: width and depth of the controller.
    controller_forget_bias: initial forget-gate bias of an LSTM controller
      (Flax's default 0; 1 in several public NTM implementations).
    memory_size, word_size: N slots of M numbers.
    num_read_heads, num_write_heads: R >= 1 and W >= 0.
    shift_width: S, odd; offsets -S//2 … S//2.
    controller_clip: clip of the controller output; None or 0: no clip (an
      LSTM's or a tanh layer's output is already in (-1, 1), so it bounds only
      other controllers).
    head_clip: clip of the heads' raw parameters to ±head_clip before their
      activations (Collier & Beel 2018 clip at 20); None or 0: no clip.
    output_clip: clip of the output logits to ±output_clip (Collier & Beel
      2018: 20); None or 0: no clip.
    memory_init: "constant" (1e-6), "learned" (a trained [N, M] parameter
      drawn N(0, 0.5²)), "learned_constant" (a trained parameter starting at
      1e-6) or "random" (a fixed N(0, 0.5²) draw from `memory_seed`, not
      trained).
    read_first: read heads read the previous memory, before this step's writes.
    learned_initial_state: train the initial weightings, read vectors and
      controller state (see above) instead of fixing them.
    fused: run each step's memory access through `fused.access` (batched,
      hand-written gradient; the default and fast path) instead of the
      per-example reference functions of `addressing` and `memory`
      (differentiated automatically). Both compute the same function.
    rngs: parameter initialisation.
  """

  def __init__(
    self,
    input_size: int,
    output_size: int,
    *,
    controller: str = "lstm",
    controller_size: int = 100,
    controller_layers: int = 1,
    controller_forget_bias: float = 0.0,
    memory_size: int = 128,
    word_size: int = 20,
    num_read_heads: int = 1,
    num_write_heads: int = 1,
    shift_width: int = 3,
    controller_clip: float | None = DEFAULT_CONTROLLER_CLIP,
    head_clip: float | None = None,
    output_clip: float | None = None,
    memory_init: str = "constant",
    memory_seed: int = 0,
    read_first: bool = False,
    learned_initial_state: bool = False,
    fused: bool = True,
    rngs: nnx.Rngs,
  ):
    if controller not in recurrent.CONTROLLERS:
      raise ValueError(
        f"controller: unknown {controller!r}; known: {sorted(recurrent.CONTROLLERS)}"
      )
    if memory_init not in memory.MEMORY_INITS:
      raise ValueError(f"memory_init: unknown {memory_init!r}; known: {memory.MEMORY_INITS}")
    if shift_width % 2 != 1 or shift_width < 1:
      raise ValueError(f"shift_width must be a positive odd number, got {shift_width}")
    for name, value in [
      ("memory_size", memory_size),
      ("word_size", word_size),
      ("num_read_heads", num_read_heads),
      ("controller_size", controller_size),
    ]:
      if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    if num_write_heads < 0:
      raise ValueError(f"num_write_heads must be >= 0, got {num_write_heads}")
    for name, value in [
      ("controller_clip", controller_clip),
      ("head_clip", head_clip),
      ("output_clip", output_clip),
    ]:
      if value is not None and value < 0:
        raise ValueError(f"{name} must be >= 0 (0 or None: no clip), got {value}")
    self.input_size = input_size
    self.output_size = output_size
    self.memory_size = memory_size
    self.word_size = word_size
    self.num_read_heads = num_read_heads
    self.num_write_heads = num_write_heads
    self.shift_width = shift_width
    self.controller_clip = controller_clip
    self.head_clip = head_clip
    self.output_clip = output_clip
    self.memory_init = memory_init
    self.read_first = read_first
    self.learned_initial_state = learned_initial_state
    self.fused = fused

    make = recurrent.CONTROLLERS[controller]
    if controller == "lstm" and controller_forget_bias:
      make = functools.partial(make, forget_bias=controller_forget_bias)
    ctrl_in = input_size + num_read_heads * word_size
    if controller_layers == 1:
      self.controller = make(ctrl_in, controller_size, rngs=rngs)
    else:
      self.controller = recurrent.Stacked(
        make, ctrl_in, controller_size, controller_layers, rngs=rngs
      )
    self._read_size = fused_access.head_size(word_size, shift_width, write=False)
    self._write_size = fused_access.head_size(word_size, shift_width, write=True)
    head_outputs = num_read_heads * self._read_size + num_write_heads * self._write_size
    self.heads = nnx.Linear(controller_size, head_outputs, rngs=rngs)
    self.output = nnx.Linear(controller_size + num_read_heads * word_size, output_size, rngs=rngs)
    if memory_init == "learned":
      self.initial_memory = nnx.Param(memory.random_memory(rngs.params(), memory_size, word_size))
    elif memory_init == "learned_constant":
      self.initial_memory = nnx.Param(memory.constant_memory(memory_size, word_size))
    if learned_initial_state:
      glorot = nnx.initializers.glorot_uniform()
      self.initial_read_logits = nnx.Param(glorot(rngs.params(), (num_read_heads, memory_size)))
      self.initial_write_logits = nnx.Param(glorot(rngs.params(), (num_write_heads, memory_size)))
      self.initial_reads = nnx.Param(jnp.zeros((num_read_heads, word_size)))
      # The controller's state, whatever its pytree, as one flat vector.
      leaves, self._controller_tree = jax.tree.flatten(self.controller.initial_state(1))
      self._controller_shapes = [leaf.shape[1:] for leaf in leaves]
      size = sum(math.prod(shape) for shape in self._controller_shapes)
      self.initial_controller = nnx.Param(jnp.zeros((size,), jnp.float32))
    # The "random" scheme's fixed draw is regenerated from this seed in
    # initial_state (not trained). A plain int, so building the cell under
    # jax.vmap (one model per seed) works.
    self.memory_seed = memory_seed

  def _memory0(self) -> jax.Array:
    n, m = self.memory_size, self.word_size
    if self.memory_init == "constant":
      return memory.constant_memory(n, m)
    if self.memory_init in ("learned", "learned_constant"):
      return self.initial_memory[...]
    return memory.random_memory(jax.random.key(self.memory_seed), n, m)

  def initial_state(self, batch_size: int) -> NTMState:
    """Memory per the init scheme; the learned state, or every head focused on slot 0
    with reads of that slot."""
    mem0 = self._memory0()  # [N, M]
    mem = jnp.broadcast_to(mem0.T, (batch_size, self.word_size, self.memory_size))
    if self.learned_initial_state:
      batch = lambda x: jnp.broadcast_to(x, (batch_size, *x.shape))  # noqa: E731
      return NTMState(
        controller=self._learned_controller_state(batch_size),
        memory=mem,
        read_weights=batch(jax.nn.softmax(self.initial_read_logits[...], axis=-1)),
        write_weights=batch(jax.nn.softmax(self.initial_write_logits[...], axis=-1)),
        reads=batch(jnp.tanh(self.initial_reads[...])),
      )
    focus = jax.nn.one_hot(0, self.memory_size, dtype=jnp.float32)
    read_w = jnp.broadcast_to(focus, (batch_size, self.num_read_heads, self.memory_size))
    write_w = jnp.broadcast_to(focus, (batch_size, self.num_write_heads, self.memory_size))
    reads = jax.vmap(memory.read, in_axes=(None, 0))(mem0, read_w)
    return NTMState(
      controller=self.controller.initial_state(batch_size),
      memory=mem,
      read_weights=read_w,
      write_weights=write_w,
      reads=reads,
    )

  def memory_rows(self, state: NTMState) -> jax.Array:
    """The memory of `state` slot-major, [B, N, M] (the state holds it word-major)."""
    return jnp.swapaxes(state.memory, 1, 2)

  def _learned_controller_state(self, batch_size: int):
    flat = jnp.tanh(self.initial_controller[...])
    leaves, start = [], 0
    for shape in self._controller_shapes:
      size = math.prod(shape)
      leaf = flat[start : start + size].reshape(shape)
      leaves.append(jnp.broadcast_to(leaf, (batch_size, *shape)))
      start += size
    return jax.tree.unflatten(self._controller_tree, leaves)

  def __call__(self, state: NTMState, x: jax.Array) -> tuple[NTMState, jax.Array]:
    new_state, y, _, _ = self._step(state, x)
    return new_state, y

  def diagnose(self, xs_BxTxI: jax.Array) -> dict[str, jax.Array]:
    """Scalars that show what the heads and the output layer do on a batch [B, T, I].

    Means over the batch, the time steps (padding included) and the heads:
    `read_gamma`/`write_gamma` (sharpening γ), `read_gate`/`write_gate`
    (interpolation gate g, 1 = content), `read_beta`/`write_beta` (key
    strength β), `read_max_weight`/`write_max_weight` (the largest weight of a
    weighting, 1 for a one-hot focus, 1/N for a uniform one); and
    `max_abs_logit` (largest |logit| of the batch) and `output_weight_norm`
    (Frobenius norm of the output layer's kernel).
    """
    xs = jnp.swapaxes(xs_BxTxI, 0, 1)

    def body(state, x):
      new_state, y, raw_read, raw_write = self._step(state, x)
      return new_state, (y, raw_read, raw_write, new_state.read_weights, new_state.write_weights)

    _, (ys, raw_read, raw_write, read_w, write_w) = jax.lax.scan(
      body, self.initial_state(xs.shape[1]), xs
    )
    out = {
      "max_abs_logit": jnp.max(jnp.abs(ys)),
      "output_weight_norm": jnp.linalg.norm(self.output.kernel[...]),
    }
    heads = [("read", raw_read, read_w)]
    if self.num_write_heads:
      heads.append(("write", raw_write, write_w))
    for kind, raw, weights in heads:
      active = fused_access.activate(raw, self.word_size, self.shift_width)
      out[f"{kind}_gamma"] = jnp.mean(active.gamma)
      out[f"{kind}_gate"] = jnp.mean(active.gate)
      out[f"{kind}_beta"] = jnp.mean(active.beta)
      out[f"{kind}_max_weight"] = jnp.mean(jnp.max(weights, axis=-1))
    return out

  def _step(self, state: NTMState, x: jax.Array):
    """One step: (new state, output, raw read-head and raw write-head parameters)."""
    batch_size = x.shape[0]
    prev_reads = state.reads.reshape(batch_size, -1)
    ctrl_state, h = self.controller(state.controller, jnp.concatenate([x, prev_reads], -1))
    h = _clip(h, self.controller_clip)
    raw = _clip(self.heads(h), self.head_clip)
    n_read = self.num_read_heads * self._read_size
    raw_read = raw[:, :n_read].reshape(batch_size, self.num_read_heads, self._read_size)
    raw_write = raw[:, n_read:].reshape(batch_size, self.num_write_heads, self._write_size)
    if self.fused:
      mem, write_w, read_w, reads = fused_access.access(
        state.memory,
        state.write_weights,
        state.read_weights,
        raw_write,
        raw_read,
        shift_width=self.shift_width,
        read_first=self.read_first,
      )
    else:
      mem, write_w, read_w, reads = self._reference_access(state, raw_read, raw_write)
    y = _clip(
      self.output(jnp.concatenate([h, reads.reshape(batch_size, -1)], -1)), self.output_clip
    )
    new_state = NTMState(
      controller=ctrl_state, memory=mem, read_weights=read_w, write_weights=write_w, reads=reads
    )
    return new_state, y, raw_read, raw_write

  def _reference_access(self, state: NTMState, raw_read: jax.Array, raw_write: jax.Array):
    """The memory access from the per-example reference functions (fused=False)."""
    mem = jnp.swapaxes(state.memory, 1, 2)  # [B, N, M], the reference functions' layout
    rp = fused_access.activate(raw_read, self.word_size, self.shift_width)
    if self.read_first:
      read_w = _address_batch(mem, state.read_weights, *_focus(rp))
      reads = jax.vmap(memory.read)(mem, read_w)
    write_w = state.write_weights
    if self.num_write_heads:
      wp = fused_access.activate(raw_write, self.word_size, self.shift_width)
      write_w = _address_batch(mem, state.write_weights, *_focus(wp))
      mem = jax.vmap(memory.write)(mem, write_w, wp.erase, wp.add)
    if not self.read_first:
      read_w = _address_batch(mem, state.read_weights, *_focus(rp))
      reads = jax.vmap(memory.read)(mem, read_w)
    return jnp.swapaxes(mem, 1, 2), write_w, read_w, reads
