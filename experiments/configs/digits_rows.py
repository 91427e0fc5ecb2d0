"""A recurrent classifier of scikit-learn's 8x8 digits read row by row (images as sequences).

Command:
  python -m experiments.train --config=experiments/configs/digits_rows.py \\
    --workdir=/tmp/digits_rows
  Other cells: `--config.model.name=gru` (or `rnn`). Variants, joined by commas
  after the colon: `:bidirectional` (a bidirectional LSTM classifying from
  both directions' final states), `:pixels` (the 64 pixels one at a time),
  `:smoke` (a seconds-long check), e.g. `--config=...digits_rows.py:pixels,smoke`.

Setting: the row LSTM of images-as-sequences tutorials, 128 units and a
linear read-out of the class at the last row, trained with Adam at batch 64
on the 1,437 training images of `memnets.tasks.digits`; no paper fixes these
numbers. The final evaluation scores every one of the 360 test images
(eval_batch_size 360: the task's evaluation batches are test images without
replacement), so summary.json's `token_accuracy/mean` (one scored step per
image, equal to `sequence_accuracy/mean`) is the test accuracy.

Expected (2,000 steps, seed 0, a shared 2-core CPU): test accuracy 0.978 for
the row LSTM (47 s), 0.986 GRU (41 s), 0.978 RNN (31 s), 0.989 bidirectional
LSTM (56 s), and 0.939 for the pixel-by-pixel LSTM (164 s).
"""

import ml_collections

from experiments import configs

STEPS = {"rows": 8, "pixels": 64}  # sequence length T of each scan of memnets.tasks.digits
VARIANTS = (configs.SMOKE, "pixels", "bidirectional")


def _variants(arg: str | None) -> set[str]:
  chosen = {part for part in (arg or "").split(",") if part}
  unknown = chosen - set(VARIANTS)
  if unknown:
    raise ValueError(f"unknown config variant {sorted(unknown)[0]!r}; known: {VARIANTS}")
  return chosen


def get_config(arg: str | None = None):
  variants = _variants(arg)
  config = configs.base_config()
  config.model = ml_collections.ConfigDict()
  config.model.name = "lstm"  # memnets.models: lstm | gru | rnn (a dense read-out), bidirectional
  config.model.hidden_size = 128  # units per cell (per direction when bidirectional)
  config.model.num_layers = 1  # stacked layers
  if "bidirectional" in variants:
    config.model.name = "bidirectional"  # memnets.recurrent.bidirectional_classifier
    config.model.cell = "lstm"  # the cell of both directions: lstm | gru | rnn

  scan = "pixels" if "pixels" in variants else "rows"
  config.task.name = "digits"  # memnets.tasks.digits
  config.task.kwargs = ml_collections.ConfigDict({"scan": scan})  # rows: T=8, I=8; pixels: 64, 1
  config.task.curriculum = "fixed"  # every image has the scan's T steps
  config.task.min_length = STEPS[scan]  # the task accepts only T
  config.task.max_length = STEPS[scan]
  config.task.eval_lengths = (STEPS[scan],)  # a sweep is one more test-set evaluation

  config.optimizer.name = "adam"
  config.optimizer.learning_rate = 1e-3  # Adam's usual rate; no schedule
  config.optimizer.eps = 1e-8  # Adam's default
  config.optimizer.clip_global_norm = 1.0  # clip the global gradient norm at 1

  config.train.steps = 2000  # about 90 epochs of the 1,437 training images
  config.train.batch_size = 64  # training images per step, drawn with replacement
  config.train.eval_batch_size = 360  # the whole test split, each image once
  config.train.log_every = 100
  config.train.eval_every = 500  # test accuracy every 500 steps (and at the end)
  config.train.checkpoint_every = 1000
  config.train.steps_per_call = 100
  if configs.SMOKE in variants:
    config.model.hidden_size = 8
    config.train.steps = 6
    config.train.batch_size = 4
    config.train.log_every = 2
    config.train.eval_every = 3
    config.train.checkpoint_every = 3
    config.train.max_to_keep = 2
    config.train.steps_per_call = 4
  return config
