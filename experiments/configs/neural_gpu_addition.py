"""Neural GPU on binary addition — Kaiser & Sutskever 2016, §4 and Table 1.

Command:
  python -m experiments.train --config=experiments/configs/neural_gpu_addition.py \\
    --workdir=/tmp/neural_gpu_addition
  (`:smoke` for a seconds-long check; `--config.task.name=neural_gpu_multiplication`
  for multiplication; `--config.num_seeds=8` trains eight seeds at once.)

Paper: a mental image of w = 4 columns and m = 24 features, l = 2 CGRU
layers with 3 × 3 kernels, run n times for a tape of n symbols; trained on
numbers of up to 20 bits with a curriculum over lengths, parameter-sharing
relaxation (6 copies), dropout on the state, gradient noise and the hard
sigmoid (`model.cutoff`), Adam with gradients clipped. The task's encoding:
`memnets.tasks.neural_gpu`.

Expected (Table 1): no wrong bit on 20-, 200- and 2,000-bit additions for a
model that trained well; many seeds do not (the paper keeps the best).
"""

import ml_collections

from experiments import configs

NEURAL_GPU_SWEEP_LENGTHS = (20, 40, 100, 200)  # bits per operand; 2,000: `experiments.reproduce`
CURRICULUM_INTERVAL = 500  # steps between the curriculum's (and the pull's) advances


def get_config(arg: str | None = None):
  configs.check_variant(arg)
  config = configs.base_config()
  model = ml_collections.ConfigDict()
  model.name = "neural_gpu"  # memnets.neural_gpu.NeuralGPU
  model.width = 4  # w, the mental image's columns
  model.features = 24  # m
  model.num_layers = 2  # l CGRU layers per step
  model.kernel_size = 3
  model.relax = 6  # parameter-sharing relaxation: r copies, step t uses copy t mod r
  model.relax_start = 0.0005  # the pull's weight at step 0 ...
  model.relax_growth = 1.2  # ... times this every relax_every steps (each curriculum advance) ...
  model.relax_every = CURRICULUM_INTERVAL
  model.relax_max = 0.1  # ... up to this
  model.dropout = 1.2  # the image's dropout rate is this / n for a tape of n (6% at n = 20)
  model.cutoff = 1.2  # the gates' hard sigmoid: clip(1.2 σ(x) − 0.1, 0, 1); 0: smooth
  model.saturation_cost = 0.0  # weight of the gates' mean distance outside [0, 1]; 0: off
  config.model = model
  config.task.name = "neural_gpu_addition"
  config.task.kwargs = ml_collections.ConfigDict()
  config.task.curriculum = "regular_increase"  # the upper length grows with the step
  config.task.curriculum_kwargs = ml_collections.ConfigDict({"step_interval": CURRICULUM_INTERVAL})
  config.task.min_length = 1
  config.task.max_length = 20  # bits per operand; tapes of 2 × 20 + 1 symbols
  config.task.eval_lengths = NEURAL_GPU_SWEEP_LENGTHS
  config.optimizer.name = "adam"
  config.optimizer.learning_rate = 1e-3
  config.optimizer.eps = 1e-4  # the paper's code
  config.optimizer.clip_global_norm = 1.0
  config.optimizer.gradient_noise = 0.0  # the public code's noise never reaches the gradients
  config.train.batch_size = 32
  config.train.eval_batch_size = 64
  config.train.steps = 20_000
  config.train.eval_every = 1000
  if arg == configs.SMOKE:
    configs.shrink(config)
    config.task.curriculum_kwargs = ml_collections.ConfigDict()
    config.model.features = 4
    config.model.relax = 2
  return config
