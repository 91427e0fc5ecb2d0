"""The NTM on the real bAbI tasks, read word by word, as the DNC paper compares it.

Command:
  python -m experiments.train --config=experiments/configs/ntm_babi.py \\
    --config.task.data_dir=../shared/babi/en --config.task.babi_task=1 --workdir=/tmp/ntm_qa1
  (`:smoke` for a seconds-long check on the offline generator's task 1.)

Graves et al. 2016 (Extended Data Table 1) ran the NTM on bAbI beside the
DNC, with the DNC's protocol; memnets reads the story and question as one
word sequence (`memnets.qa.SequenceReader`, see `dnc_babi`) with the copy
task's NTM widened to the DNC's controller: one LSTM layer of 256, a 128 × 20
memory, one read and one write head; RMSProp at 1e-4 with momentum 0.9,
batches of 32, the epoch with the lowest validation loss tested.

Expected: Extended Data Table 1's NTM (10k, joint: mean 28.5 ± 2.9% over 20
runs); memnets' rows `ntm_babi_1k` (docs/results.md) are per task on the 1k set.
"""

from experiments import configs


def get_config(arg: str | None = None):
  return configs.babi_config(
    configs.ntm_model(controller_size=256), arg, epochs=100, batch_size=32, optimizer="rmsprop",
    momentum=0.9, learning_rate=1e-4, halve_every=0, clip_global_norm=0.0, keep_best=True,
    linear_start=False, random_noise=0.0,
  )  # fmt: skip
