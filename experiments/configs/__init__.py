"""Config files of the paper runs, one per run, and the layout they share.

Each `<name>.py` defines `get_config(arg=None)`; `arg="smoke"` (selected with
`--config=experiments/configs/<name>.py:smoke`) shrinks the run to seconds on a
CPU for tests. The layout, identical in every file, is built by `base_config`:
`model`, `task`, `optimizer`, `train`, plus a top-level `num_seeds` that is the
same field as `train.num_seeds` (a FieldReference), so `--config.num_seeds=K`
trains K seeds.

Paper settings (Graves, Wayne & Danihelka 2014, Neural Turing Machines, §4 and
Tables 1–3): RMSProp with momentum 0.9, learning rate 1e-4 (3e-5 for priority
sort), gradient clipping, an NTM with a 100-unit LSTM controller and a 128 × 20
memory for copy; the paper trains on one sequence at a time (batch size 1).
We train on larger batches (faster per example on accelerators) and clip the
global gradient norm instead of each component; both are deliberate changes.
"""

import dataclasses

import ml_collections

from memnets.qa import training

SMOKE = "smoke"

CHOMSKY_TRAIN_LENGTH = 40  # Delétang et al. 2023: training lengths U[1, 40]
CHOMSKY_TEST_LENGTH = 500  # ... tested on every length 41–500
# The lengths memnets' Chomsky sweep measures and averages (every 20th of 41–500,
# and 500): the paper's average over all 460 lengths at a 20th of the cost.
CHOMSKY_SWEEP_LENGTHS = (*range(41, 500, 20), 500)
# Grefenstette et al. 2015: sources of 8–64 symbols in training, 65–128 in tests;
# memnets' sweep measures every 8th of both ranges (training: 8–64, tests: 65–128).
TRANSDUCTION_TRAIN_LENGTHS = (8, 64)
TRANSDUCTION_SWEEP_LENGTHS = (*range(8, 65, 8), *range(65, 128, 8), 128)


def base_config() -> ml_collections.ConfigDict:
  """The shared layout with the NTM paper's optimiser and copy-task defaults."""
  config = ml_collections.ConfigDict()
  num_seeds = ml_collections.FieldReference(1)
  config.num_seeds = num_seeds  # alias of train.num_seeds (one shared field)

  config.model = ml_collections.ConfigDict()
  config.model.name = "ntm"  # key of memnets.models.MODELS; other fields go to models.build

  config.task = ml_collections.ConfigDict()
  config.task.name = "copy"  # key of memnets.tasks.TASKS
  config.task.kwargs = ml_collections.ConfigDict({"bits": 8})  # passed to tasks.get
  config.task.curriculum = "uniform"  # fixed | uniform | regular_increase | reverse_exponential
  config.task.min_length = 1  # shortest training length
  config.task.max_length = 20  # longest training length (sets the padded shapes)
  config.task.curriculum_kwargs = ml_collections.ConfigDict()  # e.g. step_interval, decay
  config.task.eval_lengths = (10, 20, 30, 50, 80, 120)  # lengths of the generalisation sweep

  config.optimizer = ml_collections.ConfigDict()
  config.optimizer.name = "rmsprop"  # rmsprop | adam
  config.optimizer.learning_rate = 1e-4  # NTM paper: 1e-4 (3e-5 for some tasks)
  config.optimizer.momentum = 0.9  # RMSProp momentum, 0.9 in the NTM paper
  config.optimizer.decay = 0.95  # RMSProp squared-gradient decay (Graves 2013 uses 0.95)
  config.optimizer.eps = 1e-4  # RMSProp / Adam epsilon (Graves 2013 uses 1e-4)
  config.optimizer.b1 = 0.9  # Adam first-moment decay (unused by rmsprop)
  config.optimizer.b2 = 0.999  # Adam second-moment decay (unused by rmsprop)
  config.optimizer.centered = True  # Graves-style RMSProp divides by the variance estimate
  config.optimizer.clip_global_norm = 10.0  # clip the global gradient norm; <= 0: off
  config.optimizer.decay_steps = 0  # > 0: learning rate decays over these steps
  config.optimizer.final_learning_rate = 1e-5  # ... to this value, then stays there
  config.optimizer.decay_shape = "exponential"  # exponential | cosine
  config.optimizer.clip_spikes = 0.0  # > 0: clip gradient-norm spikes above mean + z std
  config.optimizer.spike_decay = 0.99  # moving-average decay of that mean and std
  config.optimizer.weight_decay = 0.0  # adam: AdamW's decoupled decay; rmsprop: L2
  config.optimizer.solved_loss = 0.0  # > 0: drop the learning rate once the loss is below it
  config.optimizer.solved_scale = 0.1  # ... multiplying it by this, for the rest of the run
  config.optimizer.solved_schedule = "drop"  # or "proportional": loss / solved_loss, floored
  config.optimizer.gradient_noise = 0.0  # > 0: gradient noise of variance this / (1 + t)^decay
  config.optimizer.gradient_noise_decay = 0.55  # ... the decay (optax.add_noise's gamma)

  config.train = ml_collections.ConfigDict()
  config.train.steps = 20_000  # optimiser steps
  config.train.batch_size = 32  # examples per step and seed (the paper: 1)
  config.train.eval_batch_size = 64  # examples per evaluation and seed
  config.train.seed = 0  # seed of seed index 0; index k uses seed + k
  config.train.num_seeds = num_seeds  # seeds trained at once (vmapped); = config.num_seeds
  config.train.log_every = 100  # steps between metrics rows / console lines
  config.train.eval_every = 1000  # steps between evaluations; <= 0: only at the end
  config.train.checkpoint_every = 1000  # steps between checkpoints
  config.train.max_to_keep = 3  # checkpoints kept in the workdir
  config.train.skip_nonfinite = False  # True: skip non-finite steps; False: stop the run
  config.train.loss_reduction = "step_mean"  # step_mean | sequence_sum (cost per sequence)
  config.train.outlier_cap = 0.0  # > 0: cap each sequence's loss at this x the batch median
  config.train.remat = False  # recompute time steps in the backward pass (saves memory)
  config.train.steps_per_call = 100  # steps per compiled call (cuts dispatch overhead)
  config.train.distributed = False  # call jax.distributed.initialize() (multi-host)
  return config


def ntm_model(**sizes) -> ml_collections.ConfigDict:
  """An NTM model section: the paper's copy-task NTM, updated with `sizes`."""
  model = ml_collections.ConfigDict()
  model.name = "ntm"  # memnets.ntm.NTMCell
  model.controller = "lstm"  # controller cell: lstm | gru | rnn | feedforward
  model.controller_size = 100  # controller units (100 in the paper's LSTM-controller NTMs)
  model.controller_layers = 1  # stacked controller layers
  model.controller_forget_bias = 0.0  # initial forget-gate bias of an LSTM controller
  model.memory_size = 128  # memory slots N (128 in the paper)
  model.word_size = 20  # word size M (20 in the paper)
  model.num_read_heads = 1  # read heads R
  model.num_write_heads = 1  # write heads W
  model.shift_width = 3  # allowed shifts -1, 0, +1 (the paper's copy setting)
  model.memory_init = "constant"  # Collier & Beel 2018: constant init converges fastest
  model.head_clip = 0.0  # clip raw head parameters to ±this before activation; 0: off (C&B: 20)
  model.output_clip = 0.0  # clip the output logits to ±this; 0: off (Collier & Beel: 20)
  model.read_first = False  # read the memory before this step's write (public implementations)
  model.learned_initial_state = False  # train initial weightings, reads, controller state
  model.update(sizes)
  return model


def dnc_model(**sizes) -> ml_collections.ConfigDict:
  """A DNC model section: the paper's bAbI DNC sizes (Graves et al. 2016), updated with `sizes`."""
  model = ml_collections.ConfigDict()
  model.name = "dnc"  # memnets.dnc.DNCCell
  model.controller = "lstm"  # controller cell: lstm | gru | rnn | feedforward
  model.controller_size = 256  # controller units (bAbI: one LSTM layer of 256)
  model.controller_layers = 1  # stacked controller layers
  model.memory_size = 256  # memory slots N (bAbI: 256)
  model.word_size = 64  # word size W (bAbI: 64)
  model.num_read_heads = 4  # read heads R (bAbI: 4); one write head
  model.controller_clip = 20.0  # clip of the controller output (DeepMind's DNC: 20)
  model.output_clip = 20.0  # clip of the output logits (DeepMind's DNC: 20)
  model.sparse_link = 0  # 0: dense N x N link; K > 0: the Methods' sparse link, K per row
  model.update(sizes)
  return model


# The `:smoke` variant's model sizes, by model name (other models: hidden_size, num_layers).
_SMOKE_SIZES = {
  "ntm": dict(controller_size=8, controller_layers=1, memory_size=8, word_size=4),
  "dnc": dict(controller_size=8, controller_layers=1, memory_size=8, word_size=4),
  "transformer": dict(dim=8, num_layers=1, num_heads=2),
  "stack_rnn": dict(hidden_size=8, stack_size=4, stack_cell_size=2),
  "ndstack_rnn": dict(hidden_size=8, stack_size=4),
  "tape_rnn": dict(hidden_size=8, memory_size=4, memory_cell_size=2, write_mlp_sizes=(4,)),
  **{
    f"neural_{kind}": dict(controller_size=8, memory_width=4, capacity=4)
    for kind in ("stack", "queue", "deque")
  },
}


def chomsky_config(model: ml_collections.ConfigDict, arg: str | None = None):
  """A config of the Chomsky-hierarchy protocol (Delétang et al. 2023, §4 and App. A).

  The paper's protocol: lengths U[1, 40] in training, test lengths 41–500,
  Adam with its default settings at one of 1e-4, 3e-4, 5e-4 (3e-4 here;
  `--config.optimizer.learning_rate` for the others), the global gradient
  norm clipped at 1 (its code), batch 128, 1,000,000 steps, the loss the mean
  cross-entropy per output token. The task is the one field runs change:
  `--config.task.name=reverse_string`. Differences: the paper draws one
  length per batch, memnets one per sequence (`uniform` curriculum).
  """
  check_variant(arg)
  config = base_config()
  config.model = model
  config.task.name = "even_pairs"  # any of memnets.tasks.chomsky.TASKS
  config.task.kwargs = ml_collections.ConfigDict()
  config.task.curriculum = "uniform"
  config.task.min_length = 1  # the paper's training lengths U[1, 40]
  config.task.max_length = CHOMSKY_TRAIN_LENGTH
  config.task.eval_lengths = CHOMSKY_SWEEP_LENGTHS
  config.optimizer.name = "adam"
  config.optimizer.learning_rate = 3e-4  # the paper's middle rate of 1e-4, 3e-4, 5e-4
  config.optimizer.eps = 1e-8  # Adam's default
  config.optimizer.clip_global_norm = 1.0  # the paper's code
  config.train.batch_size = 128
  config.train.eval_batch_size = 128
  config.train.steps = 1_000_000
  config.train.eval_every = 1000
  if arg == SMOKE:
    shrink(config)
  return config


def transduction_config(model: ml_collections.ConfigDict, arg: str | None = None):
  """A config of Grefenstette et al. 2015's transduction protocol (§4, §5, App. B).

  The paper's protocol: sources of 8–64 symbols in training and 65–128 in
  tests, drawn afresh every batch; minibatch RMSProp at batch 10 with the
  learning rate picked from {5e-3, 1e-3, 5e-4, 1e-4, 5e-5} (1e-3 here;
  `--config.optimizer.learning_rate` for the others) and gradients clipped at
  1 (memnets: the global norm); trained "to convergence" (no step count).
  The task is the one field runs change: `--config.task.name=bigram_flipping`.
  Differences: memnets' batch is 32 (faster per example on every device);
  RMSProp without momentum (the paper names no variant).
  """
  check_variant(arg)
  config = base_config()
  config.model = model
  config.task.name = "transduction_copy"  # any of memnets.tasks.transduction.TASKS
  config.task.kwargs = ml_collections.ConfigDict()
  config.task.curriculum = "uniform"
  config.task.min_length, config.task.max_length = TRANSDUCTION_TRAIN_LENGTHS
  config.task.eval_lengths = TRANSDUCTION_SWEEP_LENGTHS
  config.optimizer.name = "rmsprop"
  config.optimizer.learning_rate = 1e-3  # from the paper's grid
  config.optimizer.momentum = 0.0
  config.optimizer.centered = False
  config.optimizer.decay = 0.9
  config.optimizer.eps = 1e-6
  config.optimizer.clip_global_norm = 1.0
  config.train.batch_size = 32
  config.train.eval_batch_size = 128
  config.train.steps = 10_000
  config.train.eval_every = 500
  if arg == SMOKE:
    shrink(config, min_length=2, max_length=4)
  return config


def shrink(config: ml_collections.ConfigDict, min_length: int = 1, max_length: int = 3):
  """The `:smoke` variant: tiny model, short sequences, a few steps (seconds on a CPU)."""
  sizes = _SMOKE_SIZES.get(config.model.name, dict(hidden_size=8, num_layers=1))
  for field, value in sizes.items():
    if field in config.model:
      config.model[field] = value
  config.task.curriculum = "uniform"
  config.task.min_length = min_length
  config.task.max_length = max_length
  config.task.eval_lengths = (max_length,)
  config.optimizer.learning_rate = 1e-3
  config.train.steps = 6
  config.train.batch_size = 4
  config.train.eval_batch_size = 4
  config.train.log_every = 2
  config.train.eval_every = 3
  config.train.checkpoint_every = 3
  config.train.max_to_keep = 2
  config.train.steps_per_call = 4
  return config


def check_variant(arg: str | None) -> None:
  if arg not in (None, "", SMOKE):
    raise ValueError(f"unknown config variant {arg!r}; known: '{SMOKE}'")


# The `:smoke` variant's bAbI model sizes, by model name (the sequence readers: _SMOKE_SIZES).
_BABI_SMOKE_SIZES = {"memn2n": dict(dim=8, hops=2), "dmn_plus": dict(dim=8, passes=2)}


def babi_config(model: ml_collections.ConfigDict, arg: str | None = None, **train):
  """A bAbI config (trained by epochs, `memnets.qa.training`): the real release's task 1.

  Its layout differs from `base_config`'s: `task` (the release folder and the
  task ids; `name` "babi" sends `experiments.train` to the epoch loop),
  `model` (a `memnets.qa.build` name and sizes) and `train` (the fields of
  `memnets.qa.training.Settings`: its defaults, the MemN2N paper's, updated
  with `train`). `:smoke` reads the offline generator's task 1 for one epoch
  with a tiny model.
  """
  check_variant(arg)
  config = ml_collections.ConfigDict()
  config.task = ml_collections.ConfigDict()
  config.task.name = "babi"
  config.task.data_dir = "../shared/babi/en"  # a release folder or the .tar.gz; "": generated
  config.task.folder = "en"  # the folder inside a .tar.gz archive
  config.task.babi_task = (1,)  # the task ids; several: one model trained on them jointly
  config.task.max_sentences = 50  # the memory: the most recent 50 sentences
  config.task.answers = "sequence"  # multi-word answers: one class per ordered list, or "set"
  config.model = model
  settings = dataclasses.asdict(training.Settings())
  unknown = set(train) - set(settings)
  if unknown:
    raise KeyError(f"babi_config: {sorted(unknown)} are no fields of training.Settings")
  config.train = ml_collections.ConfigDict(settings | train)
  if arg == SMOKE:
    config.task.data_dir = ""  # the offline generator's task 1
    sizes = _BABI_SMOKE_SIZES.get(model.name) or _SMOKE_SIZES.get(model.name, {})
    for field, value in sizes.items():
      if field in config.model:
        config.model[field] = value
    config.train.epochs = 1
  return config
