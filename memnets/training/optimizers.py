"""Optimisers (optax) for memnets training runs.

Graves, Wayne & Danihelka 2014 (Neural Turing Machines, §4) train every model
with RMSProp with momentum 0.9 and learning rates 1e-4 or 3e-5, with gradient
clipping. The paper clips each gradient component to [-10, 10]; we clip the
global norm (`optax.clip_by_global_norm`) before the optimiser, the common
modern choice, which keeps the direction of the update. Adam (Kingma & Ba 2015)
is the alternative most later work uses. `weight_decay` adds decoupled weight
decay to Adam (AdamW) and an L2 term to RMSProp's gradient.

`clip_spikes` adds an adaptive clip for gradient spikes: NTM training on copy
shows isolated steps whose gradient norm is 30–600× the usual one (grad_norm
0.3–1 around them) right before the model falls back to chance, while a fixed
clip either never bites on ordinary steps or slows all of them. The clip
follows the z-score rule of ZClip (Kumar et al. 2025): exponential moving
averages of the global norm's mean and variance, and a norm more than `z`
standard deviations above the mean is scaled down to that bound; the averages
are updated with the clipped norm, so a spike does not raise its own bound.
"""

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax

from memnets.training import config as config_lib


def learning_rate_schedule(opt: config_lib.OptimizerConfig) -> float | optax.Schedule:
  """`learning_rate`, or with `decay_steps > 0` a decay from it to
  `final_learning_rate` at step `decay_steps`, constant after that:
  exponential (a straight line in log space) or cosine (half a cosine wave:
  slow at first, fastest halfway)."""
  if not opt.decay_steps:
    return opt.learning_rate
  if opt.decay_shape == "cosine":
    return optax.cosine_decay_schedule(
      init_value=opt.learning_rate,
      decay_steps=opt.decay_steps,
      alpha=opt.final_learning_rate / opt.learning_rate,
    )
  return optax.exponential_decay(
    init_value=opt.learning_rate,
    transition_steps=opt.decay_steps,
    decay_rate=opt.final_learning_rate / opt.learning_rate,
    end_value=opt.final_learning_rate,
  )


class SpikeClipState(NamedTuple):
  count: jax.Array  # steps seen
  mean: jax.Array  # EMA of the (clipped) global gradient norm
  var: jax.Array  # EMA of its squared deviation from the mean


def clip_spikes(z: float, decay: float = 0.99) -> optax.GradientTransformation:
  """Scales the gradient down to a global norm of `mean + z · std` of recent norms.

  Args:
    z: how many standard deviations above the running mean a norm may be.
    decay: decay of the moving averages; the first `round(1 / (1 - decay))`
      steps only gather statistics (nothing is clipped).

  Returns:
    A stateless-in-parameters GradientTransformation (state: a step count and
    two scalars), safe at zero gradients: a zero norm is never scaled.
  """
  if z <= 0:
    raise ValueError(f"z must be > 0, got {z}")
  if not 0.0 < decay < 1.0:
    raise ValueError(f"decay must be in (0, 1), got {decay}")
  warmup = round(1.0 / (1.0 - decay))

  def init_fn(params):
    del params
    zero = jnp.zeros((), jnp.float32)
    return SpikeClipState(count=jnp.zeros((), jnp.int32), mean=zero, var=zero)

  def update_fn(updates, state, params=None):
    del params
    norm = optax.tree.norm(updates)
    bound = state.mean + z * jnp.sqrt(state.var)
    active = state.count >= warmup
    scale = jnp.where(active & (norm > bound), bound / jnp.where(norm > 0, norm, 1.0), 1.0)
    updates = jax.tree.map(lambda g: (g * scale).astype(g.dtype), updates)
    clipped = norm * scale
    # Plain averages during the warm-up, moving averages after it.
    rate = jnp.where(active, 1.0 - decay, 1.0 / (state.count + 1.0))
    delta = clipped - state.mean
    mean = state.mean + rate * delta
    var = (1.0 - rate) * (state.var + rate * delta**2)
    return updates, SpikeClipState(count=state.count + 1, mean=mean, var=var)

  return optax.GradientTransformation(init_fn, update_fn)


class SolvedScaleState(NamedTuple):
  count: jax.Array  # steps seen
  average: jax.Array  # moving average of the training loss (not bias-corrected)
  factor: jax.Array  # the factor on the updates: 1 until solved, never rising again


def scale_when_solved(
  threshold: float, scale: float, decay: float = 0.9, schedule: str = "drop"
) -> optax.GradientTransformationExtraArgs:
  """Scales the updates down for good once the training loss is below `threshold`.

  The learning-rate drop on solving: the moving average (bias-corrected,
  `decay`) of the loss passed as `value=` to `update` is compared with
  `threshold`. With `schedule="drop"`, from the first step it is below, every
  update is scaled by `scale`. With `schedule="proportional"`, below the
  threshold the factor follows the loss down, `average / threshold` (a model
  ten times closer to zero loss takes ten times smaller steps), floored at
  `scale`. Either way the factor latches at its lowest value so far: a later
  rise of the loss (a relapse starting) does not raise the step again.

  Args:
    threshold: the loss (in the training loss's units) that counts as solved.
    scale: factor of the updates once solved (`drop`), or its floor
      (`proportional`), in (0, 1].
    decay: decay of the loss's moving average.
    schedule: "drop" or "proportional".
  """
  if threshold <= 0:
    raise ValueError(f"threshold must be > 0, got {threshold}")
  if not 0.0 < scale <= 1.0:
    raise ValueError(f"scale must be in (0, 1], got {scale}")
  if schedule not in config_lib.SOLVED_SCHEDULES:
    raise ValueError(f"schedule must be one of {config_lib.SOLVED_SCHEDULES}, got {schedule!r}")

  def init_fn(params):
    del params
    return SolvedScaleState(
      count=jnp.zeros((), jnp.int32),
      average=jnp.zeros((), jnp.float32),
      factor=jnp.ones((), jnp.float32),
    )

  def update_fn(updates, state, params=None, *, value, **extra):
    del params, extra
    count = state.count + 1
    average = decay * state.average + (1.0 - decay) * value
    corrected = average / (1.0 - decay ** count.astype(jnp.float32))
    if schedule == "drop":
      target = jnp.where(corrected < threshold, scale, 1.0)
    else:
      target = jnp.clip(corrected / threshold, scale, 1.0)
    factor = jnp.minimum(state.factor, target)
    updates = jax.tree.map(lambda u: (u * factor).astype(u.dtype), updates)
    return updates, SolvedScaleState(count=count, average=average, factor=factor)

  return optax.GradientTransformationExtraArgs(init_fn, update_fn)


def make(opt: config_lib.OptimizerConfig) -> optax.GradientTransformation:
  """The optax transformation of `opt`: gradient noise, spike clip, global-norm clip, the optimiser.

  Args:
    opt: the optimiser section of a validated config.

  Returns:
    A GradientTransformation; its updates are added to the parameters with
    `optax.apply_updates`. Call its `update` with `value=loss` (the training
    loss of the step): `solved_loss` needs it, the others ignore it.
  """
  learning_rate = learning_rate_schedule(opt)
  if opt.name == "rmsprop":
    base = optax.rmsprop(
      learning_rate=learning_rate,
      decay=opt.decay,
      eps=opt.eps,
      momentum=opt.momentum if opt.momentum > 0 else None,
      centered=opt.centered,
    )
    if opt.weight_decay > 0:  # L2: added to the gradient, so RMSProp rescales it
      base = optax.chain(optax.add_decayed_weights(opt.weight_decay), base)
  elif opt.name in ("adam", "amsgrad"):
    adam = dict(learning_rate=learning_rate, b1=opt.b1, b2=opt.b2, eps=opt.eps)
    if opt.name == "amsgrad":  # Adam with the largest second moment so far (Reddi et al. 2018)
      if opt.weight_decay > 0:
        raise config_lib.ConfigError("optimizer.weight_decay: not supported with amsgrad")
      base = optax.amsgrad(**adam)
    elif opt.weight_decay > 0:  # decoupled (AdamW, Loshchilov & Hutter 2019)
      base = optax.adamw(**adam, weight_decay=opt.weight_decay)
    else:
      base = optax.adam(**adam)
  else:
    raise config_lib.ConfigError(
      f"optimizer.name: unknown optimizer {opt.name!r}; known: {config_lib.OPTIMIZERS}"
    )
  if opt.solved_loss > 0:
    base = optax.chain(
      base, scale_when_solved(opt.solved_loss, opt.solved_scale, schedule=opt.solved_schedule)
    )
  clips = []
  if opt.gradient_noise > 0:  # before the clip, as the Neural GPU's training adds it
    clips.append(optax.add_noise(opt.gradient_noise, opt.gradient_noise_decay, seed=0))
  if opt.clip_spikes > 0:
    clips.append(clip_spikes(opt.clip_spikes, opt.spike_decay))
  if opt.clip_global_norm > 0:
    clips.append(optax.clip_by_global_norm(opt.clip_global_norm))
  return optax.with_extra_args_support(optax.chain(*clips, base) if clips else base)
