"""One NTM memory access, batched and fused, with a hand-written gradient.

`access` does in one call what an `NTMCell` step does after its controller:
activate the heads' raw outputs, address and write with the write heads, then
address and read with the read heads, the new memory or (`read_first`) the
previous one (Graves, Wayne & Danihelka 2014, §3.1–3.3,
eqs. 2–9). It computes exactly the functions of `memnets.ntm.addressing` and
`memnets.ntm.memory` (which stay the per-example reference, and against which
the tests check this module), but for a whole batch and every head at once,
and with a `jax.custom_vjp` whose backward pass is written out by hand:

- the only residuals are the inputs (previous memory, previous weightings, raw
  head outputs); the backward pass recomputes the forward, so a `lax.scan`
  stores one memory per step instead of the several memory-sized
  intermediates that automatic differentiation keeps;
- contractions of the memory with a weighting or a word (content dots,
  reads, and their gradients, including the write gradient's) are batched
  dots; everything else memory-sized (norms, erase and add, the
  outer-product gradients) is broadcast elementwise work that XLA fuses;
- the memory is word-major, [B, M, N] (`memory[b, :, i]` is slot i): the slot
  axis, long and the one every weighting runs along, is the contiguous one,
  so the sums over a word (norms, similarities, erase and add) vectorise
  across slots instead of running along a short innermost axis of M numbers.

Each of the three is there because it made the training step faster on the
CPU (docs/performance.md has the figures).

Head layout (one row of `raw_*` per head, P numbers):
  read  head: key [M], beta, gate, shift [S], gamma              P = M + 3 + S
  write head: the same, then erase [M], add [M]                  P = 3M + 3 + S
with activations key tanh, beta softplus, gate sigmoid, shift softmax,
gamma 1 + softplus, erase sigmoid, add tanh.

Numerical safety is the addressing module's: norms take `NORM_EPSILON` under
the square root; sharpening is a softmax of gamma · log(max(w, LOG_FLOOR)),
and its gradient is zero where w is below the floor (as the `maximum` makes
it), so no 0/0 or inf · 0 appears at zero weightings, zero rows or keys, or
very large beta and gamma.
"""

import functools
from typing import NamedTuple

import jax
import jax.numpy as jnp

from memnets.ntm.addressing import LOG_FLOOR, NORM_EPSILON


class Heads(NamedTuple):
  """Activated parameters of H heads, batch-major: scalars [B, H], vectors [B, H, ·]."""

  key: jax.Array  # [B, H, M] in (-1, 1)
  beta: jax.Array  # [B, H] >= 0
  gate: jax.Array  # [B, H] in [0, 1]
  shift: jax.Array  # [B, H, S] a distribution
  gamma: jax.Array  # [B, H] >= 1
  erase: jax.Array | None  # [B, H, M] in [0, 1]; write heads only
  add: jax.Array | None  # [B, H, M] in (-1, 1); write heads only


def head_size(word_size: int, shift_width: int, write: bool) -> int:
  """Raw outputs per head: M + 3 + S for a read head, 3M + 3 + S for a write head."""
  return word_size * (3 if write else 1) + 3 + shift_width


def activate(raw: jax.Array, word_size: int, shift_width: int) -> Heads:
  """Raw head outputs [B, H, P] → activated `Heads` (erase/add when P has them)."""
  m, s = word_size, shift_width
  shift_end = m + 2 + s
  write = raw.shape[-1] == head_size(m, s, write=True)
  if not write and raw.shape[-1] != head_size(m, s, write=False):
    raise ValueError(
      f"raw head outputs have {raw.shape[-1]} numbers per head; expected "
      f"{head_size(m, s, False)} (read) or {head_size(m, s, True)} (write)"
    )
  return Heads(
    key=jnp.tanh(raw[..., :m]),
    beta=jax.nn.softplus(raw[..., m]),
    gate=jax.nn.sigmoid(raw[..., m + 1]),
    shift=jax.nn.softmax(raw[..., m + 2 : shift_end], axis=-1),
    gamma=1.0 + jax.nn.softplus(raw[..., shift_end]),
    erase=jax.nn.sigmoid(raw[..., shift_end + 1 : shift_end + 1 + m]) if write else None,
    add=jnp.tanh(raw[..., shift_end + 1 + m :]) if write else None,
  )


def _activate_vjp(raw: jax.Array, heads: Heads, d: Heads) -> jax.Array:
  """Cotangent of the raw outputs from the cotangents `d` of the activated heads."""
  m = heads.key.shape[-1]
  shift_end = m + 2 + heads.shift.shape[-1]
  ds = heads.shift * (d.shift - jnp.sum(heads.shift * d.shift, -1, keepdims=True))
  parts = [
    d.key * (1.0 - heads.key**2),
    (d.beta * jax.nn.sigmoid(raw[..., m]))[..., None],
    (d.gate * heads.gate * (1.0 - heads.gate))[..., None],
    ds,
    (d.gamma * jax.nn.sigmoid(raw[..., shift_end]))[..., None],
  ]
  if heads.erase is not None:
    parts += [d.erase * heads.erase * (1.0 - heads.erase), d.add * (1.0 - heads.add**2)]
  return jnp.concatenate(parts, axis=-1)


def _contract(spec: str, a: jax.Array, b: jax.Array) -> jax.Array:
  """A per-example contraction of the memory with a weighting or word, as a batched dot.

  Written as `jnp.sum` of a broadcast product, XLA on the CPU builds the
  [B, H, M, N] product and reduces it in a second kernel (the reduction over
  the 128 slots split into windows), and in the backward pass it recomputed
  the memory's cotangent inside each of the three reductions of the write
  gradient; as a dot the operands are made once and read once. Full float32
  precision, so a GPU does not drop to TF32 here.
  """
  return jnp.einsum(spec, a, b, precision=jax.lax.Precision.HIGHEST)


def _roll(w: jax.Array, offset: int) -> jax.Array:
  return jnp.roll(w, offset, axis=-1)


def _offsets(width: int) -> range:
  return range(-(width // 2), width // 2 + 1)


def _shift(w: jax.Array, shift: jax.Array) -> jax.Array:
  """Eq. 8 for [B, H, N] weightings and [B, H, S] shifts (offset j − S//2 moves up)."""
  return sum(shift[..., j, None] * _roll(w, o) for j, o in enumerate(_offsets(shift.shape[-1])))


class _Addressed(NamedTuple):
  """Forward intermediates of addressing, kept for the backward pass."""

  key_norm: jax.Array  # [B, H]
  similarity: jax.Array  # [B, H, N] cosine similarity
  content: jax.Array  # [B, H, N] w^c
  gated: jax.Array  # [B, H, N] w^g
  shifted: jax.Array  # [B, H, N] w~
  log_shifted: jax.Array  # [B, H, N] log max(w~, LOG_FLOOR)
  weights: jax.Array  # [B, H, N] final w


def _norms(memory: jax.Array) -> jax.Array:
  return jnp.sqrt(jnp.sum(memory * memory, -2) + NORM_EPSILON)


def _batched_address(memory, row_norms, w_prev, heads: Heads) -> _Addressed:
  """Eqs. 5–9 for H heads sharing one memory [B, M, N]; `row_norms` [B, N]."""
  key_norm = jnp.sqrt(jnp.sum(heads.key**2, -1) + NORM_EPSILON)
  dots = _contract("bmn,bhm->bhn", memory, heads.key)
  similarity = dots / (row_norms[:, None, :] * key_norm[..., None])
  content = jax.nn.softmax(heads.beta[..., None] * similarity, axis=-1)
  gate = heads.gate[..., None]
  gated = gate * content + (1.0 - gate) * w_prev
  shifted = _shift(gated, heads.shift)
  log_shifted = jnp.log(jnp.maximum(shifted, LOG_FLOOR))
  weights = jax.nn.softmax(heads.gamma[..., None] * log_shifted, axis=-1)
  return _Addressed(key_norm, similarity, content, gated, shifted, log_shifted, weights)


def _softmax_vjp(p: jax.Array, dp: jax.Array) -> jax.Array:
  return p * (dp - jnp.sum(p * dp, -1, keepdims=True))


def _batched_address_vjp(memory, row_norms, w_prev, heads: Heads, a: _Addressed, d_weights):
  """Backward of `_batched_address`.

  Returns:
    (d memory [B, M, N], d w_prev, d key, d beta, d gate, d shift, d gamma).
  """
  gamma = heads.gamma[..., None]
  d_logits = _softmax_vjp(a.weights, d_weights)
  d_gamma = jnp.sum(d_logits * a.log_shifted, -1)
  above = a.shifted > LOG_FLOOR
  d_shifted = jnp.where(above, d_logits * gamma / jnp.where(above, a.shifted, 1.0), 0.0)
  offsets = _offsets(heads.shift.shape[-1])
  d_gated = sum(heads.shift[..., j, None] * _roll(d_shifted, -o) for j, o in enumerate(offsets))
  d_shift = jnp.stack([jnp.sum(d_shifted * _roll(a.gated, o), -1) for o in offsets], -1)
  gate = heads.gate[..., None]
  d_content = gate * d_gated
  d_w_prev = (1.0 - gate) * d_gated
  d_gate = jnp.sum(d_gated * (a.content - w_prev), -1)
  d_scaled = _softmax_vjp(a.content, d_content)
  d_beta = jnp.sum(d_scaled * a.similarity, -1)
  d_sim = heads.beta[..., None] * d_scaled
  denom = row_norms[:, None, :] * a.key_norm[..., None]
  d_dots = d_sim / denom  # [B, H, N]
  d_sim_sim = d_sim * a.similarity
  # similarity = dots / (row_norm · key_norm): the norms' share of the gradient.
  d_row_norms = -jnp.sum(d_sim_sim, 1) / row_norms  # [B, N]
  d_key_norm = -jnp.sum(d_sim_sim, -1) / a.key_norm  # [B, H]
  d_memory = (
    jnp.sum(d_dots[:, :, None, :] * heads.key[..., None], 1)
    + memory * (d_row_norms / row_norms)[:, None, :]
  )
  d_key = (
    _contract("bhn,bmn->bhm", d_dots, memory) + heads.key * (d_key_norm / a.key_norm)[..., None]
  )
  return d_memory, d_w_prev, d_key, d_beta, d_gate, d_shift, d_gamma


def _write(memory, w, erase, add):
  """Eqs. 3–4 for W heads (all erases, then all adds): memory [B, M, N], w [B, W, N]."""
  factors = [1.0 - w[:, h, None, :] * erase[:, h, :, None] for h in range(w.shape[1])]
  keep = factors[0]
  for f in factors[1:]:
    keep = keep * f
  return memory * keep + jnp.sum(w[:, :, None, :] * add[..., None], 1), factors, keep


def _write_vjp(memory, w, erase, add, factors, keep, d_new):
  """Backward of `_write`: (d memory, d w [B, W, N], d erase, d add)."""
  d_w, d_erase, d_add = [], [], []
  for h in range(w.shape[1]):
    others = None
    for g, f in enumerate(factors):
      if g != h:
        others = f if others is None else others * f
    d_factor = d_new * memory if others is None else d_new * memory * others  # [B, M, N]
    d_w.append(
      _contract("bmn,bm->bn", d_new, add[:, h]) - _contract("bmn,bm->bn", d_factor, erase[:, h])
    )
    d_erase.append(-_contract("bmn,bn->bm", d_factor, w[:, h]))
    d_add.append(_contract("bmn,bn->bm", d_new, w[:, h]))
  return d_new * keep, jnp.stack(d_w, 1), jnp.stack(d_erase, 1), jnp.stack(d_add, 1)


def _read(memory, w):
  """Eq. 2 for R heads: memory [B, M, N], w [B, R, N] → [B, R, M]."""
  return _contract("bmn,brn->brm", memory, w)


class Access(NamedTuple):
  """Result of one memory access."""

  memory: jax.Array  # [B, M, N] after the writes
  write_weights: jax.Array  # [B, W, N]
  read_weights: jax.Array  # [B, R, N]
  reads: jax.Array  # [B, R, M]


def _forward(shift_width, read_first, memory, write_prev, read_prev, raw_write, raw_read):
  m = memory.shape[-2]
  written = None
  if raw_write.shape[1]:
    wh = activate(raw_write, m, shift_width)
    written = _batched_address(memory, _norms(memory), write_prev, wh)
    new_memory, factors, keep = _write(memory, written.weights, wh.erase, wh.add)
    write_weights = written.weights
    written = (wh, written, factors, keep)
  else:
    new_memory, write_weights = memory, write_prev
  rh = activate(raw_read, m, shift_width)
  read_memory = memory if read_first else new_memory
  read_norms = _norms(read_memory)
  read = _batched_address(read_memory, read_norms, read_prev, rh)
  reads = _read(read_memory, read.weights)
  out = Access(new_memory, write_weights, read.weights, reads)
  return out, (written, rh, read_memory, read_norms, read)


@functools.partial(jax.custom_vjp, nondiff_argnums=(0, 1))
def _access(shift_width, read_first, memory, write_prev, read_prev, raw_write, raw_read):
  return _forward(shift_width, read_first, memory, write_prev, read_prev, raw_write, raw_read)[0]


def _access_fwd(shift_width, read_first, memory, write_prev, read_prev, raw_write, raw_read):
  residuals = (memory, write_prev, read_prev, raw_write, raw_read)
  return _forward(shift_width, read_first, *residuals)[0], residuals


def _access_bwd(shift_width, read_first, residuals, d_out: Access):
  memory, write_prev, read_prev, raw_write, raw_read = residuals
  _, (written, rh, read_memory, read_norms, read) = _forward(shift_width, read_first, *residuals)
  # Read: reads = w_r · memory read (the previous memory if read_first, else the written one).
  d_read_memory = jnp.sum(read.weights[:, :, None, :] * d_out.reads[..., None], 1)
  d_read_w = d_out.read_weights + _contract("brm,bmn->brn", d_out.reads, read_memory)
  dm, d_read_prev, *d_rh = _batched_address_vjp(
    read_memory, read_norms, read_prev, rh, read, d_read_w
  )
  d_read_memory = d_read_memory + dm
  d_raw_read = _activate_vjp(raw_read, rh, Heads(*d_rh, None, None))
  if written is None:  # no write: the memory read is the memory passed through
    d_memory = d_out.memory + d_read_memory
    return (d_memory, d_out.write_weights, d_read_prev, jnp.zeros_like(raw_write), d_raw_read)
  d_new = d_out.memory if read_first else d_out.memory + d_read_memory
  wh, addressed, factors, keep = written
  d_memory, d_w, d_erase, d_add = _write_vjp(
    memory, addressed.weights, wh.erase, wh.add, factors, keep, d_new
  )
  d_write_w = d_out.write_weights + d_w
  dm, d_write_prev, *d_wh = _batched_address_vjp(
    memory, _norms(memory), write_prev, wh, addressed, d_write_w
  )
  d_memory = d_memory + dm
  if read_first:
    d_memory = d_memory + d_read_memory
  d_raw_write = _activate_vjp(raw_write, wh, Heads(*d_wh, d_erase, d_add))
  return (d_memory, d_write_prev, d_read_prev, d_raw_write, d_raw_read)


_access.defvjp(_access_fwd, _access_bwd)


def access(
  memory: jax.Array,
  write_prev: jax.Array,
  read_prev: jax.Array,
  raw_write: jax.Array,
  raw_read: jax.Array,
  *,
  shift_width: int,
  read_first: bool = False,
) -> Access:
  """One NTM step's memory access: write heads address and write, then read heads read.

  With `read_first`, the read heads address and read the memory as it was
  before this step's writes (the order of most public implementations); the
  default reads the memory after them, so a read can see this step's write.

  Args:
    memory: [B, M, N] memory before the step.
    write_prev: [B, W, N] the write heads' previous weightings.
    read_prev: [B, R, N] the read heads' previous weightings.
    raw_write: [B, W, 3M + 3 + S] raw (pre-activation) write-head outputs; W may be 0.
    raw_read: [B, R, M + 3 + S] raw read-head outputs, R >= 1.
    shift_width: S, odd.
    read_first: read the previous memory (before the writes) instead of the new one.

  Returns:
    `Access(memory [B, M, N], write_weights [B, W, N], read_weights [B, R, N],
    reads [B, R, M])`. Differentiable (hand-written VJP) in every array argument.
  """
  if shift_width % 2 != 1:
    raise ValueError(f"shift_width must be a positive odd number, got {shift_width}")
  return _access(shift_width, bool(read_first), memory, write_prev, read_prev, raw_write, raw_read)
