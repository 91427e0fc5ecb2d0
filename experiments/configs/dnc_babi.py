"""The DNC on the real bAbI tasks, read word by word — Graves et al. 2016, Methods ("bAbI").

Command:
  python -m experiments.train --config=experiments/configs/dnc_babi.py \\
    --config.task.data_dir=../shared/babi/en --config.task.babi_task=1 --workdir=/tmp/dnc_qa1
  (`:smoke` for a seconds-long check on the offline generator's task 1.)

Paper: the story, then the question, as one-hot words, and the answer read
off at an answer step (`memnets.qa.SequenceReader`); one LSTM layer of 256,
a 256 × 64 memory, 4 read heads (`configs.dnc_model`); RMSProp at 1e-4 with
momentum 0.9; one model trained jointly on all 20 tasks of the 10k set,
validation error for early stopping. Differences: one question per
sequence (the paper streams a whole story with its questions and answers);
batches of 32 (the paper: 1, on 16 workers); the parameters of the epoch
with the lowest validation loss are tested.

Expected: Extended Data Table 1's DNC (10k, joint: mean 16.7 ± 7.6% over 20
runs; tasks 1–3: 9.0, 39.2, 39.6); memnets' rows `dnc_babi_1k` (docs/results.md)
are per task on the 1k set, a smaller setting.
"""

from experiments import configs


def get_config(arg: str | None = None):
  return configs.babi_config(
    configs.dnc_model(), arg, epochs=100, batch_size=32, optimizer="rmsprop", momentum=0.9,
    learning_rate=1e-4, halve_every=0, clip_global_norm=0.0, keep_best=True,
    linear_start=False, random_noise=0.0,
  )  # fmt: skip
