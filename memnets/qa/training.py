"""Training a question-answering model on bAbI by epochs (MemN2N, DMN+, the sequence readers).

bAbI is a fixed set of questions, not a generator, so this loop runs epochs
over `babi.BabiData` arrays instead of `memnets.training`'s sampled steps.
The defaults are Sukhbaatar et al. 2015's (§4.2), for the MemN2N:

- SGD on the cross-entropy summed over a batch of 32, the global gradient
  norm clipped at 40, the learning rate 0.01 halved every 25 epochs, 100
  epochs;
- linear start (LS, MemN2N only): the memory layers' softmax removed, at learning rate
  0.005, until the validation loss stops falling (the paper's rule) or for
  a fixed number of epochs (`linear_start_epochs`; the authors' code: 20,
  30 for joint training); then the softmax is put back and training goes
  on at the schedule's rate;
- random noise (RN, MemN2N only): about 10% empty memories inserted into
  each training story (`memn2n.random_empty_memories`).

Other models' papers train otherwise, and `Settings` has their fields:
`optimizer` (sgd, adam or rmsprop with `momentum`), `weight_decay` (an ℓ2
term on the weights, biases excluded, as DMN+'s), `halve_every=0` (a
constant rate), `patience` (early stopping: end after that many epochs
without a lower validation loss) and `keep_best` (test the parameters of the
epoch with the lowest validation loss, as DMN+ does).

`train(model, data, settings)` returns the trained parameters and a summary
whose `test_error_percent` maps task id → test error (%), with its mean and
the number of failed tasks (error > 5%).
"""

import dataclasses
import functools
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

from memnets.qa import memn2n
from memnets.tasks.babi import BabiData

FAILED_ABOVE = 5.0  # a task counts as failed above 5% test error (the papers' convention)
OPTIMIZERS = ("sgd", "adam", "rmsprop")


@dataclasses.dataclass(frozen=True)
class Settings:
  """The paper's training settings (§4.2); every field may be changed."""

  epochs: int = 100
  batch_size: int = 32
  learning_rate: float = 0.01
  halve_every: int = 25  # epochs
  clip_global_norm: float = 40.0  # 0: no clipping
  linear_start: bool = True
  linear_start_learning_rate: float = 0.005
  linear_start_epochs: int = 0  # 0: until the validation loss stops falling; N: N epochs
  random_noise: float = 0.1  # share of empty memories inserted; 0: off
  optimizer: str = "sgd"  # sgd | adam | rmsprop
  momentum: float = 0.0  # rmsprop's
  weight_decay: float = 0.0  # ℓ2 on the weights (not the biases); 0: off
  patience: int = 0  # early stopping after this many epochs without a lower valid loss; 0: off
  keep_best: bool = False  # test the parameters of the epoch with the lowest valid loss
  seed: int = 0

  def check(self, model) -> None:
    """Raises ValueError, naming the field, for settings `model` cannot train with."""
    if self.optimizer not in OPTIMIZERS:
      raise ValueError(f"train.optimizer: unknown {self.optimizer!r}; known: {OPTIMIZERS}")
    for name in ("epochs", "batch_size"):
      if getattr(self, name) < 1:
        raise ValueError(f"train.{name} must be >= 1, got {getattr(self, name)}")
    if not isinstance(model, memn2n.MemN2N):
      for name, on in [("linear_start", self.linear_start), ("random_noise", self.random_noise)]:
        if on:
          raise ValueError(f"train.{name}: a MemN2N's option; {type(model).__name__} has none")
    if self.keep_best and self.linear_start:
      raise ValueError("train.keep_best: not with a linear start (its epochs run without softmax)")

  def transform(self) -> optax.GradientTransformation:
    """The optimizer, its learning rate a hyperparameter (`opt_state.hyperparams`)."""

    def make(learning_rate):
      steps = [optax.clip_by_global_norm(self.clip_global_norm)] if self.clip_global_norm else []
      if self.weight_decay:
        steps.append(optax.add_decayed_weights(self.weight_decay, mask=_weights_only))
      steps.append({
        "sgd": lambda: optax.sgd(learning_rate),
        "adam": lambda: optax.adam(learning_rate),
        "rmsprop": lambda: optax.rmsprop(learning_rate, momentum=self.momentum or None),
      }[self.optimizer]())  # fmt: skip
      return optax.chain(*steps)

    return optax.inject_hyperparams(make)(learning_rate=self.learning_rate)

  def rate(self, epoch: int) -> float:
    """The learning rate of (0-based) `epoch` after the linear start."""
    if not self.halve_every:
      return self.learning_rate
    return self.learning_rate * 0.5 ** (epoch // self.halve_every)


def _weights_only(params):
  """True for every parameter but the biases (the ℓ2 term's mask)."""
  return jax.tree_util.tree_map_with_path(
    lambda path, _: "bias" not in jax.tree_util.keystr(path), params
  )


def _arrays(split):
  return (split.stories, split.questions, split.story_lengths, split.answers)


def _call(model, stories, questions, lengths, softmax, recency=None):
  if not isinstance(model, memn2n.MemN2N):
    return model(stories, questions, lengths)
  return model(stories, questions, lengths, softmax=softmax, recency_BxS=recency)


@functools.partial(jax.jit, static_argnames=("graphdef", "softmax"))
def _logits(graphdef, params, stories, questions, lengths, softmax):
  return _call(nnx.merge(graphdef, params), stories, questions, lengths, softmax)


EVAL_CHUNK = 256  # questions per compiled evaluation call (the last chunk padded to it)


def _evaluate(graphdef, params, split, softmax: bool) -> tuple[float, np.ndarray]:
  """(summed loss / N, [N] bool: right answers) of `split`, in chunks of EVAL_CHUNK.

  Every chunk has the same shape (the last one padded with copies of the
  split's first question, dropped from the result), so one program serves
  every split.
  """
  count = len(split.answers)
  losses, right = [], []
  for start in range(0, count, EVAL_CHUNK):
    real = min(EVAL_CHUNK, count - start)
    rows = np.arange(start, start + EVAL_CHUNK)
    rows[real:] = 0
    logits = _logits(graphdef, params, split.stories[rows], split.questions[rows],
                     split.story_lengths[rows], softmax)[:real]  # fmt: skip
    answers = split.answers[rows[:real]]
    losses.append(float(optax.softmax_cross_entropy_with_integer_labels(logits, answers).sum()))
    right.append(np.asarray(jnp.argmax(logits, -1) == answers))
  return sum(losses) / max(count, 1), np.concatenate(right) if right else np.zeros(0, bool)


def train_step(graphdef, params, settings: Settings):
  """(step, opt_state): the compiled SGD step of the epoch loop and the optimizer's first state.

  `step(params, opt_state, key, (stories, questions, lengths, answers), rate,
  softmax) -> (params, opt_state)`: one update on the loss summed over the
  batch, at learning rate `rate`, with RN's empty memories drawn from `key`
  where `settings.random_noise` is on; `softmax` (static) is False during a
  MemN2N's linear start. The benchmark times this same step.
  """
  optimizer = settings.transform()
  noise = settings.random_noise > 0

  def loss_fn(params, key, stories, questions, lengths, answers, softmax):
    recency = None
    if noise:  # RN: the recency of each memory with empty memories inserted
      recency, mask = memn2n.recency(lengths, stories.shape[1])
      recency = memn2n.random_empty_memories(key, recency, mask, settings.random_noise)
    logits = _call(nnx.merge(graphdef, params), stories, questions, lengths, softmax, recency)
    return optax.softmax_cross_entropy_with_integer_labels(logits, answers).sum()

  @functools.partial(jax.jit, static_argnames="softmax")
  def step(params, opt_state, key, batch, rate, softmax):
    opt_state.hyperparams["learning_rate"] = rate
    grads = jax.grad(loss_fn)(params, key, *batch, softmax)
    updates, opt_state = optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state

  return step, optimizer.init(params)


def train(model: nnx.Module, data: BabiData, settings: Settings = Settings(), log=None):
  """(params, summary): `model` trained on data.splits["train"], validated on "valid", tested on "test".

  `model(stories, questions, story_lengths) -> logits [B, V]`: a `MemN2N`, a
  `DMNPlus` or a `SequenceReader`. `log(epoch, record)`, if given, receives
  each epoch's record (losses, accuracies, learning rate, whether the softmax
  is on). Raises ValueError for settings the model has no use for.
  """
  settings.check(model)
  graphdef, params = nnx.split(model, nnx.Param)
  step, opt_state = train_step(graphdef, params, settings)

  train_split, valid_split = data.splits["train"], data.splits["valid"]
  rng = np.random.default_rng(settings.seed)
  key = jax.random.key(settings.seed)
  softmax = not settings.linear_start
  best_valid, best_params, since_best = np.inf, params, 0
  began = time.perf_counter()
  history = []
  for epoch in range(settings.epochs):
    rate = settings.rate(epoch)
    if not softmax:
      rate = settings.linear_start_learning_rate
    order = rng.permutation(len(train_split.answers))
    for start in range(0, len(order), settings.batch_size):
      rows = order[start : start + settings.batch_size]
      batch = tuple(jnp.asarray(a[rows]) for a in _arrays(train_split))
      key, step_key = jax.random.split(key)
      params, opt_state = step(params, opt_state, step_key, batch, rate, softmax)
    valid_loss, valid_right = _evaluate(graphdef, params, valid_split, softmax)
    record = {"epoch": epoch + 1, "learning_rate": rate, "softmax": softmax,
              "valid_loss": valid_loss, "valid_accuracy": float(valid_right.mean())}  # fmt: skip
    history.append(record)
    if log is not None:
      log(epoch + 1, record)
    improved = valid_loss < best_valid
    if not softmax:
      if settings.linear_start_epochs:
        softmax = epoch + 1 >= settings.linear_start_epochs
      else:  # LS ends when the validation loss stops falling
        softmax = not improved
    best_valid = min(best_valid, valid_loss)
    best_params, since_best = (params, 0) if improved else (best_params, since_best + 1)
    if settings.patience and since_best >= settings.patience:
      break
  if settings.keep_best:
    params = best_params
  # Tested as trained: with the softmax, unless the linear start never ended.
  _, test_right = _evaluate(graphdef, params, data.splits["test"], softmax)
  _, train_right = _evaluate(graphdef, params, train_split, softmax)
  result = summary(data, train_right, test_right, history, time.perf_counter() - began)
  return params, result | {"tested_with_softmax": softmax}


def _errors(right: np.ndarray, task_ids: np.ndarray) -> dict[str, float]:
  return {str(t): 100.0 * float(1 - right[task_ids == t].mean()) for t in np.unique(task_ids)}


def summary(data: BabiData, train_right, test_right, history, seconds: float) -> dict:
  """The run's result: per-task test (and training) error in percent, their mean, failed tasks."""
  test = _errors(test_right, data.task_ids["test"])
  return {
    "test_error_percent": test,
    "mean_test_error_percent": float(np.mean(list(test.values()))),
    "failed_tasks": sum(error > FAILED_ABOVE for error in test.values()),
    "train_error_percent": _errors(train_right, data.task_ids["train"]),
    "answers": data.answers,
    "epochs": len(history),
    "linear_start_epochs": sum(not r["softmax"] for r in history),
    "best_valid_epoch": min(history, key=lambda r: r["valid_loss"])["epoch"] if history else 0,
    "history": history,
    "train_sec": seconds,
  }
