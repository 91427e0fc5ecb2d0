"""NTM (LSTM controller) on the copy task — Graves et al. 2014, §4.1, Table 2.

Command:
  python -m experiments.train --config=experiments/configs/ntm_copy.py --workdir=/tmp/ntm_copy
  (`:smoke` for a seconds-long check; `--config.num_seeds=4` for best-of-4.)

Model: the paper's — 100-unit LSTM controller, 1 read and 1 write head, memory
128 × 20, shifts -1..+1, lengths 1–20 of 8-bit vectors. Training differs from
the paper (RMSProp with momentum 0.9 at 1e-4, batch 1): batch 32, Adam at 1e-3,
global-norm clipping at 10, constant memory initialisation.

Expected result and time (measured, seed 0, 2-core CPU shared with another
run, 6–7 steps/s; `metrics.jsonl` of the command above with
--config.train.steps=3000 --config.train.eval_every=500):
  Adam 1e-3 (these defaults): training-batch bit errors per sequence 0.125 at
  step 500 (16k sequences, ~2 min), a relapse between steps 800 and 1300, then
  0 from step 1400 to 3000; evaluation (64 fresh sequences, lengths 1–20):
  0.0 bit errors at steps 1500, 2000, 2500, 3000 (cost 1.57 → 0.13 bits).
  The paper's optimiser (--config.optimizer.name=rmsprop
  --config.optimizer.learning_rate=1e-4, `make demo` before this change):
  0 training bit errors at steps 1700–1900, then diverged (43 bit errors on
  evaluation at step 2624). RMSProp 1e-4 with the global norm clipped at 1
  (--config.optimizer.clip_global_norm=1.0): slower, 3.1 training bit errors
  at step 3000.

Time to solve, several seeds (`python -m experiments.solve_copy --seeds=S
--steps=K --check_every=100 [overrides]`; mean wrong bits per sequence on
1,000 fresh sequences of lengths 1–20 after every 100 steps; fused access,
2-core CPU shared with a second run or tests, ~8–10 steps/s each):
  defaults (Adam 1e-3, clip 10, batch 32):
    seed 0: 33.3 26.2 31.5 11.9 35.8 4.6 0.96 0.97 33.0 21.2 0.19 0.008 34.4 25.2 33.4
    seed 1: 31.2 20.4 15.6 3.4 0.23 0.07 0.38 0.005 2.5 37.9 32.6 25.6 0.43 0.45 0.57
  --config.optimizer.clip_global_norm=1.0, seed 0:
    33.3 26.4 17.2 6.3 1.5 10.0 0.42 25.8 2.5 0.41 19.3 2.4
  + --config.optimizer.learning_rate=5e-4, seeds 0 / 1 (steps 700–1200):
    6.4 3.5 2.0 1.6 0.069 0.096 / 18.3 18.1 0.61 0.42 3.0 6.9
  --config.train.batch_size=64 with clip 1.0, seed 0:
    32.8 24.5 13.6 8.1 33.7 5.9 25.2 4.9 5.5
  --config.optimizer.b2=0.99, seeds 0 / 1 (steps 400–1500):
    0.83 0.068 0.82 1.2 0.075 1.2 0.18 31.7 26.4 14.8 11.4 28.7 /
    0.23 0.75 0.82 0.15 0.031 0.013 37.0 30.3 32.8 0.41 0.010 0.44
  defaults again, seed 1, alone on the machine (after the word-major memory
  change, so a different trajectory): 31.2 21.1 8.8 0.47 0.53 0.46 0.78 2.4
  11.3 33.5; first check at 23.8 s including compilation, ~12 steps/s.
  b2 0.99 + --config.optimizer.decay_steps=1500 final_learning_rate=5e-5,
  seeds 0 / 1 at step 2000: 5.2 / 0.27 (smooth, no collapse, not solved).
After the change to one CPU device per core (batches split over both cores,
~18 steps/s alone on the machine, steps 100, 200, ... 1500):
  diagnosis (`experiments.train`, seed 1, --config.train.log_every=5): the
  gradient norm is 0.3–1 on ordinary steps and 10–600 on isolated ones
  (44 at step 380, 605 at 500, 142 at 875); collapses follow such steps.
  --config.optimizer.clip_spikes=2.5 (z-score clip of those spikes):
    seed 0: 33.3 25.1 19.1 2.1 0.48 7.1 11.2 37.4 33.3 31.9 30.1 29.2 28.0 27.3 26.8
    seed 1: 31.2 26.6 2.3 0.033 0.05 0.0 0.075 0.13 0.18 3.3 35.2 41.6 41.2 41.3 38.2
    (seed 1 solved at step 600, 55.5 s from a cold start, then drifted away).
  --config.optimizer.weight_decay=0.1 (AdamW):
    seed 0: 33.3 26.9 20.7 34.4 6.4 0.80 0.94 0.48 0.92 5.2 0.0 0.0 0.0 0.0 0.0
    seed 1: 31.3 24.1 18.2 12.6 7.9 33.6 0.99 2.0 33.3 4.4 3.0 2.1 0.86 0.061 3.2
    (seed 0 solved at step 1100, 90 s, and stayed at 0.0 to step 1500).
  both (weight_decay=0.1 clip_spikes=2.5), steps 100 ... 2000 (the CPU
  shared with the test suite for part of seed 1):
    seed 0: 33.3 25.6 12.5 1.1 3.6 35.6 28.0 1.4 0.50 27.8 2.7 15.5 1.7 0.10
            0.075 0.002 0.0 0.14 0.20 0.12
    seed 1: 31.3 20.1 2.5 0.038 16.9 33.5 40.7 27.0 3.4 0.18 0.077 1.7 3.6
            0.001 0.007 0.0 0.004 0.0 0.0 0.0
    (seed 0 solved at step 1600 and relapsed to 0.1–0.2; seed 1 solved at
    step 1400 and stayed below 0.01 to step 2000).
  With a learning-rate decay to 1e-4 at step 2000 (--config.optimizer.decay_steps=2000
  --config.optimizer.final_learning_rate=1e-4), seeds 0 / 1 / 2, steps 100 ... 2000:
  spike clip 2.5 and weight decay 0.1:
    seed 0: 33.4 27.1 17.7 7.9 1.9 0.67 0.74 0.61 0.22 0.12 0.58 0.049 0.21
            0.41 0.20 0.24 0.61 11.2 3.8 1.6
    seed 1: 31.7 21.8 5.3 0.28 0.18 0.085 0.007 0.019 0.15 0.28 0.052 0.13
            0.067 0.33 0.57 0.086 0.32 1.8 0.49 0.23
    seed 2: 33.7 23.9 19.4 3.5 0.42 0.38 0.55 0.13 0.13 0.20 0.22 0.30 0.074
            0.45 0.054 0.11 0.22 0.12 0.21 0.14
  spike clip 2.5 alone (~17.5 steps/s, first check at 25–26 s):
    seed 0: 33.4 26.9 18.4 8.7 2.0 0.71 0.23 1.0 0.58 0.10 0.38 0.091 1.1
            0.44 0.30 1.0 0.48 0.61 0.44 0.42
    seed 1: 31.6 22.6 17.6 6.1 1.6 0.99 0.29 0.35 0.25 0.40 0.41 0.70 0.12
            0.29 0.56 0.70 0.28 1.3 0.40 4.1
    seed 2: 33.7 23.9 15.5 3.9 0.71 0.20 0.21 0.11 0.20 0.20 0.16 0.34 0.17
            0.30 0.21 0.21 0.076 0.35 0.34 0.24
  (the decay removes the collapses to chance level, but every seed stalls at
  0.05–1 wrong bits per sequence; only seed 1 of the first set touched 0.007,
  at step 700, 78.5 s.)
  --config.train.batch_size=64 with spike clip 2.5, weight decay 0.1 and a
  slower decay (decay_steps=4000, final_learning_rate=1e-4), steps 100 ... 1500:
    seed 0: 32.8 24.0 12.9 0.97 1.4 0.45 0.83 2.4 23.2 0.39 4.9 0.69 10.5 2.9 18.3
    seed 1: 30.2 19.4 1.2 0.025 0.56 32.2 33.7 2.8 0.078 0.062 0.003 0.002
            0.001 0.001 0.001
    seed 2: 29.8 22.2 2.7 0.20 0.19 0.25 0.31 0.037 0.020 0.36 1.1 0.26 0.44
            0.071 0.76
    seed 3: 29 21 30 8.4 2.4 5.9 36 33 0.83 0.51 0.47 0.51 0.001 0.46 2.1
    seed 4: 28 21 1.1 0.23 0.17 0.21 0.27 1.4 0.14 0.12 0.81 0.65 7.8 8.0 0.39
    seed 5: 27 19 0.73 0.11 0.21 0.18 0.14 0.86 13 25 1.1 0.50 0.027 0.54 0.26
    (seed 1 solved at step 1100, 131 s, and stayed solved to 1500; seed 3
    solved at step 1300, 169 s, and relapsed; first check at 28–42 s.)
Three more settings, seeds 0 / 1 / 2, steps 100 ... 1000, with
--compilation_cache=DIR (seeds 1 and 2 start from the cache: first check at
10–13 s instead of 22–45 s):
  --config.model.memory_init=random (rows of norm ~2 instead of ~5e-6, so the
  cosine similarity's gradient is not scaled by 1 / |row|):
    seed 0: 33 24.6 13.1 1.69 0.263 0.364 3.15 34.3 2.38 0.114
    seed 1: 32.6 22.4 12.9 1.07 30.1 0.261 0.403 0.068 0.56 0.361
    seed 2: 34.5 28.4 13.5 0.006 0.021 0.065 0.168 0.099 3.31 1.63
    (seed 2 solved at step 400, 30.3 s after its start, then drifted away.)
  --config.optimizer.eps=1e-3 (Adam's steps shrink once gradients do):
    seed 0: 34.6 32 24.9 22.6 0.887 0.54 0.059 0.41 0.009 0.518
    seed 1: 34.1 28.7 22.7 1.17 0.424 1.84 0.033 0.107 1.42 8.3
    seed 2: 35.5 30 23.2 2.81 0.614 0.111 0.486 1.93 34.1 42.4
  the per-example reference access differentiated automatically instead of
  `memnets.access` and its hand-written gradient (a config file setting
  model.fused = False):
    seed 0: 33.3 25.9 18.3 0.93 0.219 1.11 35.6 3.2 1.17 1.26
    seed 1: 31.2 21.1 4.06 3.04 7.86 2.63 0.525 0.131 0.245 3.5
    seed 2: 33.6 24.4 4.72 0.543 0.473 0.014 35.2 1.25 10.2 34.7
  The collapses to chance level happen with the reference gradient too, so
  they come from the model and its optimisation, not from the fused access.
Where the gradient spikes come from (scratch diagnostics, not in the repo;
seed 1, defaults, steps 136–341): the cotangent of the carried state at
each time step (the gradient of the loss with respect to a zero added to
the state, batch of 32) has norms of 0.01–0.5 for the controller, the reads
and the weightings on steps with grad_norm 4.6–7, and 3–30 for the memory
at the first time step; on steps with grad_norm 25–120 the controller's and
the reads' grow backwards through the time steps to 2–10 and the memory's
at the first step reaches 100–450, since a cosine similarity against a
nearly empty slot (|row| ~ 5e-6 after the constant initialisation) moves
by 1 / |row| per unit change. The heads' activations over training (a
batch of 32 after every 100 steps, steps 100–1000): the key strength beta
stays below 2 (so content addressing is nearly uniform over the 128 slots
and unused), the gate's median is 0.15–0.5, and the sharpening gamma
reaches 7–9: the learned solution is location-based, its focus kept by
sharpening against the blur of the shift. The collapse of that run at step
900 is the read weighting going diffuse (median largest read weight 0.047,
from 0.5–1.0 at steps 200–800).
Three changes aimed at that, each a scratch change to the code (not kept),
`solve_copy --steps=1500 --check_every=100`, steps 100 ... 1500:
  norms floored at 0.1 (`addressing.NORM_EPSILON` 1e-8 -> 1e-2, so a nearly
  empty slot's similarity is near 0 and changes smoothly):
    seed 0: 33.3 24.4 19.7 17.2 10.1 15.5 32.5 9.38 0.652 0.602 3.14 32.9
            1.01 0.864 7.09
    seed 1: 31.0 23.6 2.08 0.626 0.166 0.228 5.24 33.8 4.78 0.341 0.024
            0.073 0.087 0.013 0.046
    seed 2: 33.7 23.5 1.74 0.194 0.204 0.397 0.141 0.006 0.641 6.82 0.299
            1.79 3.43 0.58 21.5
    (seed 2 solved at step 800 and relapsed.)
  the state's cotangent clipped elementwise to ±0.01 at every time step (an
  identity with a clipping custom gradient on the cell's incoming state):
    seed 0: 33.4 25.4 12.3 1.15 7.82 35.9 2.34 36.3 27.3 16.2 2.68 0.243 1.09
            0.711 0.129
  the update scaled by the training loss (a bias-corrected moving average
  with decay 0.99, divided by a reference and clipped to [floor, 1]):
    reference 0.5, floor 0.05, seed 0: 33.3 25.7 18.2 3.74 0.562 0.775
            0.848 34.8 32.1 17.1 0.737 1.09 36.3 23.7 0.031
    reference 2, floor 0.02, seeds 0 / 1:
            33.3 25.7 18.2 3.74 0.684 0.404 0.262 0.061 0.139 0.073 0.32
            0.192 0.261 0.367 0.098 /
            31.2 20.1 12.4 3.49 0.183 1.31 0.22 0.199 0.295 0.842 0.082
            0.239 0.067 0.289 0.741
    (no collapse to chance, and no seed below 0.01: the same stall as the
    learning-rate decays above.)
Without the decay every setting that gets near 0 collapses to chance level
(~30 wrong bits) within a few hundred steps and recovers, except single seeds
of the spike-clip and weight-decay runs; with it, none gets below 0.01 and
stays there. No setting both solves (< 0.01) and stays solved on several
seeds, so the defaults are unchanged. Tuning this is open work.
"""

from experiments import configs


def get_config(arg: str | None = None):
  configs.check_variant(arg)
  config = configs.base_config()
  config.model = configs.ntm_model()  # 100-unit LSTM controller, 128 x 20 memory, 1 + 1 heads
  config.task.name = "copy"  # NTM §4.1
  config.task.kwargs.bits = 8  # 8-bit random vectors
  config.task.min_length = 1  # paper: lengths uniform on 1..20
  config.task.max_length = 20
  config.task.eval_lengths = (10, 20, 30, 50, 80, 120)  # paper tests up to 120
  config.optimizer.name = "adam"  # solved ~3x sooner than the paper's RMSProp (docstring)
  config.optimizer.learning_rate = 1e-3  # the paper's RMSProp used 1e-4 (Table 2)
  if arg == configs.SMOKE:
    configs.shrink(config)
  return config
