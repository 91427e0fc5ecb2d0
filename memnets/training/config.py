"""The configuration of one training run, as plain frozen dataclasses.

The experiment binaries describe a run with an `ml_collections.ConfigDict`
(`experiments/configs/*.py`); the library converts it here, at its entry, into
the frozen dataclasses below and validates it, so no ConfigDict travels further
in. Every validation failure raises `ConfigError` with a message that starts
with the dotted name of the offending field (`train.batch_size: ...`).

Layout (the same in every config file):
  model:     name + keyword sizes for `memnets.models.build`.
  task:      name, task kwargs, training curriculum and lengths, eval lengths.
  optimizer: rmsprop | adam, learning rate, momentum/decay/eps, clipping.
  train:     steps, batch size, seeds, logging/eval/checkpoint periods, guards.
"""

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from memnets import models, tasks
from memnets.tasks import curriculum as curricula
from memnets.tasks import metrics as task_metrics

OPTIMIZERS = ("rmsprop", "adam", "amsgrad")
DECAY_SHAPES = ("exponential", "cosine")
SOLVED_SCHEDULES = ("drop", "proportional")

# Fields that may differ between a run and the checkpoints it resumes from:
# they change only logging, evaluation, checkpoint bookkeeping, dispatch or the
# total number of steps, never the parameters reached at a given step.
RESUMABLE_FIELDS = frozenset(
  {
    "train.steps",
    "train.log_every",
    "train.eval_every",
    "train.eval_batch_size",
    "train.checkpoint_every",
    "train.max_to_keep",
    "train.steps_per_call",
    "train.distributed",
  }
)


class ConfigError(ValueError):
  """An invalid or inconsistent configuration; the message names the field."""


@dataclasses.dataclass(frozen=True)
class ModelConfig:
  name: str  # key of memnets.models.MODELS
  kwargs: Mapping[str, Any]  # sizes passed to models.build (memory_size=..., ...)


@dataclasses.dataclass(frozen=True)
class TaskConfig:
  name: str  # key of memnets.tasks.TASKS
  kwargs: Mapping[str, Any]  # passed to tasks.get (bits=..., ...)
  curriculum: str  # key of memnets.tasks.curriculum.CURRICULA
  min_length: int  # shortest training length
  max_length: int  # longest training length (fixes the padded shapes)
  curriculum_kwargs: Mapping[str, Any]  # further curriculum arguments
  eval_lengths: tuple[int, ...]  # lengths of the generalisation sweep


@dataclasses.dataclass(frozen=True)
class OptimizerConfig:
  name: str  # "rmsprop" or "adam"
  learning_rate: float
  momentum: float  # rmsprop momentum
  decay: float  # rmsprop decay of the squared-gradient average
  eps: float  # rmsprop / adam epsilon
  b1: float  # adam first-moment decay
  b2: float  # adam second-moment decay
  centered: bool  # rmsprop: divide by the variance, not the second moment
  clip_global_norm: float  # clip gradients to this global norm first; <= 0: no clipping
  decay_steps: int  # learning rate decays to final_learning_rate over these steps; 0: constant
  final_learning_rate: float  # the learning rate from step decay_steps on
  decay_shape: str  # "exponential" or "cosine" (used when decay_steps > 0)
  clip_spikes: float  # > 0: clip norms above mean + this many stds of recent norms; <= 0: off
  spike_decay: float  # decay of clip_spikes' moving averages of the gradient norm
  weight_decay: float  # adam: decoupled (AdamW) decay rate; rmsprop: L2 added to the gradient
  solved_loss: float  # > 0: once the training loss's average is below it, scale the updates ...
  solved_scale: float  # ... by this, for good (the learning-rate drop on solving)
  solved_schedule: str  # "drop" (to solved_scale) or "proportional" (loss / solved_loss, floored)
  gradient_noise: float = 0.0  # > 0: Gaussian noise of variance this / (1 + step)^decay added
  gradient_noise_decay: float = 0.55  # ... to the gradients (optax.add_noise); 0: off


@dataclasses.dataclass(frozen=True)
class TrainConfig:
  steps: int  # total number of optimiser steps
  batch_size: int  # examples per step and seed
  eval_batch_size: int  # examples per evaluation and seed
  seed: int  # seed of seed index 0; seed index k uses seed + k
  num_seeds: int  # independent seeds trained at once (vmapped)
  log_every: int  # steps between metrics rows
  eval_every: int  # steps between evaluations; <= 0: never
  checkpoint_every: int  # steps between checkpoints
  max_to_keep: int  # checkpoints kept on disk
  skip_nonfinite: bool  # skip non-finite steps instead of stopping the run
  loss_reduction: str  # tasks.metrics.REDUCTIONS: step_mean | sequence_sum
  outlier_cap: float  # > 0: no sequence's loss counts above this x the batch median
  remat: bool  # rematerialise each time step in the backward pass
  steps_per_call: int  # optimiser steps per compiled call (lax.while_loop)
  distributed: bool  # call jax.distributed.initialize() (multi-host)


@dataclasses.dataclass(frozen=True)
class Config:
  model: ModelConfig
  task: TaskConfig
  optimizer: OptimizerConfig
  train: TrainConfig

  def to_dict(self) -> dict[str, Any]:
    """A JSON-able nested dict in the config-file layout (what `config.json` holds).

    `from_mapping(config.to_dict()) == config`.
    """
    tree = json.loads(json.dumps(dataclasses.asdict(self), default=_jsonable))
    tree["model"] = {"name": self.model.name, **tree["model"]["kwargs"]}
    return tree


def _jsonable(value):
  if isinstance(value, Mapping):
    return dict(value)
  raise TypeError(f"not JSON-serialisable: {value!r}")


def _plain(value):
  """ConfigDict / FrozenConfigDict / mappings / lists → plain dicts and tuples."""
  if hasattr(value, "to_dict"):
    value = value.to_dict()
  if isinstance(value, Mapping):
    return {str(k): _plain(v) for k, v in value.items()}
  if isinstance(value, list | tuple):
    return tuple(_plain(v) for v in value)
  return value


def _take(section: dict, name: str, field: str, kind):
  if field not in section:
    raise ConfigError(f"{name}.{field}: missing")
  value = section.pop(field)
  if kind is float and isinstance(value, int) and not isinstance(value, bool):
    value = float(value)
  if kind is tuple and isinstance(value, int):
    value = (value,)
  if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
    raise ConfigError(f"{name}.{field}: expected {kind.__name__}, got {value!r}")
  return value


_KINDS = {Mapping[str, Any]: dict, tuple[int, ...]: tuple}


def _section(config: dict, name: str, cls, extra: str | None = None):
  """Builds dataclass `cls` from `config[name]`; leftover keys go to `extra` or fail."""
  if name not in config or not isinstance(config[name], Mapping):
    raise ConfigError(f"{name}: missing section")
  section = dict(config[name])
  values = {}
  for field in dataclasses.fields(cls):
    if field.name == extra:
      continue
    if field.name not in section and field.default is not dataclasses.MISSING:
      values[field.name] = field.default  # a later field: older configs lack it
      continue
    kind = _KINDS.get(field.type, field.type)
    values[field.name] = _take(section, name, field.name, kind)
  if extra is not None:
    values[extra] = section
  elif section:
    raise ConfigError(f"{name}.{sorted(section)[0]}: unknown field")
  return cls(**values)


def from_mapping(raw: Mapping[str, Any]) -> Config:
  """Converts a ConfigDict (or nested mapping) into a `Config`; checks types only."""
  config = _plain(raw)
  model = _section(config, "model", ModelConfig, extra="kwargs")
  task = _section(config, "task", TaskConfig)
  optimizer = _section(config, "optimizer", OptimizerConfig)
  train = _section(config, "train", TrainConfig)
  top_seeds = config.get("num_seeds", train.num_seeds)
  if top_seeds != train.num_seeds:
    raise ConfigError(f"num_seeds: {top_seeds} differs from train.num_seeds {train.num_seeds}")
  unknown = set(config) - {"model", "task", "optimizer", "train", "num_seeds"}
  if unknown:
    raise ConfigError(f"{sorted(unknown)[0]}: unknown section")
  return Config(model=model, task=task, optimizer=optimizer, train=train)


def _positive(name: str, value) -> None:
  if not value > 0:
    raise ConfigError(f"{name}: must be > 0, got {value}")


def build_task(config: Config) -> tasks.Task:
  """The task of `config.task`, with a ConfigError naming the field on failure."""
  if config.task.name not in tasks.TASKS:
    raise ConfigError(f"task.name: unknown task {config.task.name!r}; known: {sorted(tasks.TASKS)}")
  try:
    return tasks.get(config.task.name, **config.task.kwargs)
  except (TypeError, ValueError) as error:
    raise ConfigError(f"task.kwargs: {error}") from None


def build_curriculum(config: Config) -> curricula.Curriculum:
  """The training-length curriculum of `config.task`."""
  task = config.task
  if task.curriculum not in curricula.CURRICULA:
    raise ConfigError(
      f"task.curriculum: unknown {task.curriculum!r}; known: {sorted(curricula.CURRICULA)}"
    )
  if task.min_length > task.max_length:
    raise ConfigError(
      f"task.min_length: {task.min_length} is greater than task.max_length {task.max_length}"
    )
  if task.curriculum == "fixed":
    if task.min_length != task.max_length:
      raise ConfigError("task.min_length: the fixed curriculum needs min_length == max_length")
    lengths = {"length": task.max_length}
  else:
    lengths = {"min_length": task.min_length, "max_length": task.max_length}
  try:
    return curricula.get(task.curriculum, **lengths, **task.curriculum_kwargs)
  except (TypeError, ValueError) as error:
    raise ConfigError(f"task.curriculum_kwargs: {error}") from None


def validate(config: Config, num_devices: int = 1) -> None:
  """Raises ConfigError (naming the field) for an inconsistent `config`."""
  if config.model.name not in models.MODELS:
    raise ConfigError(
      f"model.name: unknown model {config.model.name!r}; known: {sorted(models.MODELS)}"
    )
  for field, value in config.model.kwargs.items():
    if field.endswith(("_size", "_layers")) and isinstance(value, int):
      _positive(f"model.{field}", value)
  task = build_task(config)
  build_curriculum(config)
  for field in ("min_length", "max_length"):
    try:
      task.check_length(getattr(config.task, field))
    except ValueError as error:
      raise ConfigError(f"task.{field}: {error}") from None
  for length in config.task.eval_lengths:
    _positive("task.eval_lengths", length)
  opt = config.optimizer
  if opt.name not in OPTIMIZERS:
    raise ConfigError(f"optimizer.name: unknown optimizer {opt.name!r}; known: {OPTIMIZERS}")
  _positive("optimizer.learning_rate", opt.learning_rate)
  _positive("optimizer.eps", opt.eps)
  if opt.decay_steps < 0:
    raise ConfigError(f"optimizer.decay_steps: must be >= 0, got {opt.decay_steps}")
  if opt.decay_steps:
    _positive("optimizer.final_learning_rate", opt.final_learning_rate)
  if opt.decay_shape not in DECAY_SHAPES:
    raise ConfigError(f"optimizer.decay_shape: unknown {opt.decay_shape!r}; known: {DECAY_SHAPES}")
  if opt.solved_loss < 0:
    raise ConfigError(f"optimizer.solved_loss: must be >= 0, got {opt.solved_loss}")
  if opt.solved_loss > 0 and not 0.0 < opt.solved_scale <= 1.0:
    raise ConfigError(f"optimizer.solved_scale: must be in (0, 1], got {opt.solved_scale}")
  if opt.solved_schedule not in SOLVED_SCHEDULES:
    raise ConfigError(
      f"optimizer.solved_schedule: unknown {opt.solved_schedule!r}; known: {SOLVED_SCHEDULES}"
    )
  if opt.weight_decay < 0:
    raise ConfigError(f"optimizer.weight_decay: must be >= 0, got {opt.weight_decay}")
  if opt.gradient_noise < 0 or opt.gradient_noise_decay < 0:
    field = "gradient_noise" if opt.gradient_noise < 0 else "gradient_noise_decay"
    raise ConfigError(f"optimizer.{field}: must be >= 0, got {getattr(opt, field)}")
  if opt.clip_spikes > 0 and not 0.0 < opt.spike_decay < 1.0:
    raise ConfigError(f"optimizer.spike_decay: must be in (0, 1), got {opt.spike_decay}")
  for field in ("momentum", "decay", "b1", "b2"):
    if not 0.0 <= getattr(opt, field) < 1.0:
      raise ConfigError(f"optimizer.{field}: must be in [0, 1), got {getattr(opt, field)}")
  train = config.train
  for field in ("steps", "batch_size", "eval_batch_size", "num_seeds", "log_every"):
    _positive(f"train.{field}", getattr(train, field))
  for field in ("checkpoint_every", "max_to_keep", "steps_per_call"):
    _positive(f"train.{field}", getattr(train, field))
  if train.loss_reduction not in task_metrics.REDUCTIONS:
    raise ConfigError(
      f"train.loss_reduction: unknown {train.loss_reduction!r}; known: {task_metrics.REDUCTIONS}"
    )
  if train.outlier_cap < 0:
    raise ConfigError(f"train.outlier_cap: must be >= 0 (0: off), got {train.outlier_cap}")
  if train.seed < 0:
    raise ConfigError(f"train.seed: must be >= 0, got {train.seed}")
  if train.num_seeds % num_devices and train.batch_size % num_devices:
    raise ConfigError(
      f"train.batch_size: {train.batch_size} is not divisible by the {num_devices} devices "
      f"(nor is train.num_seeds {train.num_seeds})"
    )
  if train.num_seeds % num_devices and train.eval_batch_size % num_devices:
    raise ConfigError(
      f"train.eval_batch_size: {train.eval_batch_size} is not divisible by the "
      f"{num_devices} devices"
    )


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
  flat = {}
  for key, value in tree.items():
    if isinstance(value, Mapping):
      flat.update(_flatten(value, f"{prefix}{key}."))
    else:
      flat[f"{prefix}{key}"] = value
  return flat


def check_resumable(saved: Mapping[str, Any], config: Config) -> None:
  """Raises ConfigError if checkpoints written under `saved` cannot continue `config`.

  Args:
    saved: the `to_dict()` of the config that wrote the checkpoints (config.json).
    config: the config of the run that wants to resume them.
  """
  old, new = _flatten(saved), _flatten(config.to_dict())
  for field in sorted(set(old) | set(new)):
    if field in RESUMABLE_FIELDS:
      continue
    if old.get(field, "<unset>") != new.get(field, "<unset>"):
      raise ConfigError(
        f"{field}: the workdir holds checkpoints of a different config "
        f"({field}={old.get(field, '<unset>')!r} there, {new.get(field, '<unset>')!r} now); "
        "use a new --workdir"
      )
