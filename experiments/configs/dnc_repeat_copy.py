"""DNC on repeat copy as in DeepMind's public DNC code (deepmind/dnc, `train.py`).

Command:
  python -m experiments.train --config=experiments/configs/dnc_repeat_copy.py \
    --workdir=/tmp/dnc_repeat_copy

Setting: deepmind/dnc's `train.py` defaults: a 64-unit LSTM controller,
memory 16 × 16, 4 read heads and one write head, controller output and logits
clipped at 20; its repeat copy (`repeat_copy.py` layout: a start marker, the
count divided by 10, an end marker) of 4-bit vectors, 1–2 vectors repeated
1–2 times; RMSProp (TensorFlow's: decay 0.9, no momentum, ε 1e-10) at 1e-4,
global-norm clipping at 50, batch 16, the cost summed over each sequence's
steps and averaged over the batch, 100,000 iterations. DeepMind's code trains
this one range (no curriculum in it); longer patterns and more repeats are
config overrides, and `--config.task.curriculum=regular_increase` grows the
length range during training.

Expected: not yet measured (docs/results.md has the row's figures).
"""

from experiments import configs


def get_config(arg: str | None = None):
  configs.check_variant(arg)
  config = configs.base_config()
  config.model = configs.dnc_model(
    controller_size=64,  # train.py: hidden_size 64
    memory_size=16,  # memory_size 16
    word_size=16,  # word_size 16
    num_read_heads=4,  # num_read_heads 4 (num_write_heads 1)
  )
  config.task.name = "repeat_copy"
  config.task.kwargs = {"bits": 4, "repeats": (1, 2), "layout": "deepmind"}  # num_bits 4
  config.task.min_length = 1  # min_length 1
  config.task.max_length = 2  # max_length 2
  config.task.eval_lengths = (1, 2, 3, 4, 6, 8)
  config.optimizer.name = "rmsprop"  # tf.train.RMSPropOptimizer
  config.optimizer.learning_rate = 1e-4
  config.optimizer.decay = 0.9  # TensorFlow's default
  config.optimizer.momentum = 0.0
  config.optimizer.centered = False
  config.optimizer.eps = 1e-10  # optimizer_epsilon
  config.optimizer.clip_global_norm = 50.0  # max_grad_norm
  config.train.batch_size = 16
  config.train.loss_reduction = "sequence_sum"  # masked_sigmoid_cross_entropy: cost per sequence
  config.train.steps = 100_000  # num_training_iterations
  config.train.log_every = 100  # report_interval
  if arg == configs.SMOKE:
    configs.shrink(config, min_length=1, max_length=2)
  return config
