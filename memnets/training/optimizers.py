"""Optimisers (optax) for memnets training runs.

Graves, Wayne & Danihelka 2014 (Neural Turing Machines, §4) train every model
with RMSProp with momentum 0.9 and learning rates 1e-4 or 3e-5, with gradient
clipping. The paper clips each gradient component to [-10, 10]; we clip the
global norm (`optax.clip_by_global_norm`) before the optimiser, the common
modern choice, which keeps the direction of the update. Adam (Kingma & Ba 2015)
is the alternative most later work uses.
"""

import optax

from memnets.training import config as config_lib


def learning_rate_schedule(opt: config_lib.OptimizerConfig) -> float | optax.Schedule:
  """`learning_rate`, or with `decay_steps > 0` an exponential decay from it to
  `final_learning_rate` at step `decay_steps`, constant after that."""
  if not opt.decay_steps:
    return opt.learning_rate
  return optax.exponential_decay(
    init_value=opt.learning_rate,
    transition_steps=opt.decay_steps,
    decay_rate=opt.final_learning_rate / opt.learning_rate,
    end_value=opt.final_learning_rate,
  )


def make(opt: config_lib.OptimizerConfig) -> optax.GradientTransformation:
  """The optax transformation of `opt`: clip by global norm, then RMSProp or Adam.

  Args:
    opt: the optimiser section of a validated config.

  Returns:
    A GradientTransformation; its updates are added to the parameters with
    `optax.apply_updates`.
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
  elif opt.name == "adam":
    base = optax.adam(learning_rate=learning_rate, b1=opt.b1, b2=opt.b2, eps=opt.eps)
  else:
    raise config_lib.ConfigError(
      f"optimizer.name: unknown optimizer {opt.name!r}; known: {config_lib.OPTIMIZERS}"
    )
  if opt.clip_global_norm > 0:
    return optax.chain(optax.clip_by_global_norm(opt.clip_global_norm), base)
  return base
