"""The Neural GPU (Kaiser & Sutskever 2016, §2–4) as a whole-sequence model.

`NeuralGPU(inputs [B, T, I]) -> logits [B, T, O]`: a tape of symbols (one-hot
inputs; an all-zero vector is the padding token) is embedded (tanh of a
learned embedding, then a 1 × 1 projection; the padding embeds to zero) into
column 0 of a [w, T, m] mental image; `num_layers` CGRU layers run n times,
n being the example's own tape length (its non-padding steps: a batch padded
to T keeps each example's image fixed after its n-th step, as the paper's
code reads each example out at its own length, and its padding cells at
zero, so an example's logits do not depend on the padding); the logits are a linear
read-out of column 0, one per tape position, so input and output tapes are
aligned. The computation costs O(T²) per example (T steps over T cells).

The training aids, each a field (defaults: the paper's code):
- Parameter-sharing relaxation (`relax` = r copies of every layer's weights;
  step t uses copy t mod r) with the pull `weight · Σ_i ||p_i − p̄||²` added
  to the training loss, the weight `relax_start · relax_growth^(step //
  relax_every)` capped at `relax_max` (the code grows it by 1.2 at each
  curriculum advance while below 0.1, then keeps averaging the copies; here
  the capped pull goes on pulling them together). With r = 1 there is one
  set and no pull.
- Dropout on the image before the first step and after every step, in
  training only, at the rate `dropout / n` (the code: 1.2 / n, 6% at n = 20).
- The hard gate sigmoid (`cutoff`, 0: the smooth one) and an optional
  saturation cost (`saturation_cost` times the gates' mean distance outside
  [0, 1] before the clip; not in the paper, off by default).
Gradient noise is the optimiser's (`optimizer.gradient_noise`), the
curriculum the task config's.

Training goes through `train_logits(inputs, key, step) -> (logits, penalty)`;
`__call__` is the deterministic model (no dropout, no penalty) used for
evaluation.
"""

import jax
import jax.numpy as jnp
from flax import nnx

from memnets.neural_gpu import cgru

EMBEDDING_INIT = 1.7  # the code's uniform(−1.7, 1.7) embedding


class NeuralGPU(nnx.Module):
  """The Neural GPU: embedding, `num_layers` CGRUs run n times, read-out of column 0."""

  def __init__(
    self,
    input_size: int,
    output_size: int,
    *,
    width: int = 4,
    features: int = 24,
    num_layers: int = 2,
    kernel_size: int = 3,
    relax: int = 6,
    relax_start: float = 0.0005,
    relax_growth: float = 1.2,
    relax_every: int = 500,
    relax_max: float = 0.1,
    dropout: float = 1.2,
    cutoff: float = 1.2,
    saturation_cost: float = 0.0,
    remat: bool = True,
    rngs: nnx.Rngs,
  ):
    if min(width, features, num_layers, relax, relax_every) < 1:
      raise ValueError(
        "width, features, num_layers, relax and relax_every must be >= 1, got "
        f"{width}, {features}, {num_layers}, {relax}, {relax_every}"
      )
    if kernel_size < 1 or kernel_size % 2 == 0:
      raise ValueError(f"kernel_size must be odd and positive, got {kernel_size}")
    if dropout < 0:
      raise ValueError(f"dropout must be >= 0, got {dropout}")
    self.input_size, self.output_size = input_size, output_size
    self.width, self.features, self.num_layers, self.relax = width, features, num_layers, relax
    self.relax_start, self.relax_growth = relax_start, relax_growth
    self.relax_every, self.relax_max = relax_every, relax_max
    self.dropout, self.cutoff, self.saturation_cost = dropout, cutoff, saturation_cost
    self.remat = remat
    m, k = features, kernel_size
    self.embedding = nnx.Param(
      jax.random.uniform(rngs.params(), (input_size, m), minval=-1.0, maxval=1.0) * EMBEDDING_INIT
    )
    self.project = nnx.Linear(m, m, rngs=rngs)  # the code's 1 × 1 convolution
    scale = (k * k * m) ** -0.5
    shape = (relax, num_layers, k, k, m)

    def kernel(out):
      return nnx.Param(
        jax.random.uniform(rngs.params(), (*shape, out), minval=-scale, maxval=scale)
      )

    self.gate_kernel = kernel(2 * m)
    self.gate_bias = nnx.Param(jnp.ones((relax, num_layers, 2 * m)))  # gates start open: σ(1)
    self.candidate_kernel = kernel(m)
    self.candidate_bias = nnx.Param(jnp.zeros((relax, num_layers, m)))
    self.readout = nnx.Linear(m, output_size, rngs=rngs)

  def _layers(self) -> cgru.CGRUParams:
    """Every copy's and layer's weights, [r, l, ...]."""
    return cgru.CGRUParams(
      self.gate_kernel[...], self.gate_bias[...], self.candidate_kernel[...],
      self.candidate_bias[...],
    )  # fmt: skip

  def _dropout(self, state, key, rate_B):
    keep = jax.random.uniform(key, state.shape) >= rate_B[:, None, None, None]
    return jnp.where(keep, state / (1.0 - rate_B)[:, None, None, None], 0.0)

  def _run(self, inputs_BxTxI: jax.Array, key: jax.Array | None):
    """(final image [B, w, T, m], mean saturation): each example run for its own n steps."""
    real_BxT = jnp.any(inputs_BxTxI != 0, axis=-1)
    steps_B = jnp.sum(real_BxT, axis=1)
    embedded = self.project(jnp.tanh(inputs_BxTxI @ self.embedding[...])) * real_BxT[..., None]
    state = cgru.first_image(embedded, self.width)
    rate_B = jnp.minimum(self.dropout / jnp.maximum(steps_B, 1), 0.5)
    training = key is not None and self.dropout > 0
    # The patch-matmul convolution where gradients are taken; XLA's otherwise.
    convolve = cgru.conv if key is not None else cgru.xla_conv
    if training:
      state = self._dropout(state, jax.random.fold_in(key, inputs_BxTxI.shape[1]), rate_B)
    layers = self._layers()
    cells = real_BxT[:, None, :, None]

    def step(carry, t):
      state, saturation = carry
      copy = jax.tree.map(lambda p: p[t % self.relax], layers)
      new = state
      for layer in range(self.num_layers):
        weights = jax.tree.map(lambda p, i=layer: p[i], copy)
        new, sat = cgru.cgru_step(weights, new, self.cutoff, convolve)
        new = new * cells  # padding cells stay zero, as past the end of an unpadded tape
        saturation = saturation + sat
      if training:
        new = self._dropout(new, jax.random.fold_in(key, t), rate_B)
      running = (t < steps_B)[:, None, None, None]
      return (jnp.where(running, new, state), saturation), None

    steps = jnp.arange(inputs_BxTxI.shape[1])
    if self.remat:
      step = jax.checkpoint(step)
    (state, saturation), _ = jax.lax.scan(step, (state, jnp.float32(0)), steps)
    return state, saturation / (inputs_BxTxI.shape[1] * self.num_layers)

  def __call__(self, inputs_BxTxI: jax.Array) -> jax.Array:
    """Logits [B, T, O] of the tape `inputs` (deterministic: no dropout)."""
    state, _ = self._run(inputs_BxTxI, None)
    return self.readout(state[:, 0])

  def pull(self, step: jax.Array) -> jax.Array:
    """The relaxation's pull at training step `step`: its weight times Σ_i ||p_i − p̄||²."""
    if self.relax == 1:
      return jnp.float32(0)
    growths = jnp.asarray(step, jnp.float32) // self.relax_every
    weight = jnp.minimum(self.relax_start * self.relax_growth**growths, self.relax_max)
    spread = sum(
      jnp.sum((p - jnp.mean(p, axis=0, keepdims=True)) ** 2)
      for p in jax.tree.leaves(self._layers())
    )
    return weight * spread

  def train_logits(self, inputs_BxTxI: jax.Array, key: jax.Array, step: jax.Array):
    """(logits [B, T, O], penalty): the training pass, with dropout and the loss's extra terms."""
    state, saturation = self._run(inputs_BxTxI, key)
    penalty = self.pull(step) + self.saturation_cost * saturation
    return self.readout(state[:, 0]), penalty
