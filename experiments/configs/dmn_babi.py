"""DMN+ on the real bAbI 10k tasks — Xiong et al. 2016, §4.2 and Table 2.

Command:
  python -m experiments.train --config=experiments/configs/dmn_babi.py \\
    --config.task.data_dir=../shared/babi/en-10k --config.task.babi_task=1 --workdir=/tmp/dmn_qa1
  (`:smoke` for a seconds-long check on the offline generator's task 1.)

Paper: embedding and hidden size 80, 3 episodic passes, the input fusion
layer, the attention GRU and untied ReLU memory updates (`memnets.qa.DMNPlus`);
Adam at 0.001 on batches of 128, ℓ2 on the weights, up to 256 epochs with
early stopping after 20 without a lower validation loss, the epoch with the
lowest validation loss kept; the last 70 sentences as input (130 for qa3);
one model per task on the 10k set. Differences: no dropout (the paper: keep
0.9 on the sentence encodings and the answer module); ℓ2 at 0.001 (a value
from public code, the paper prints none); Xavier-uniform weights and
embeddings of N(0, 1) (Flax's defaults; the paper: uniform in ±√3).

Expected: Table 2's DMN+ column (10k, per task: mean 2.8%, one failed task);
memnets' row `dmn_babi_10k` (docs/results.md) has the measured numbers.
"""

import ml_collections

from experiments import configs


def get_config(arg: str | None = None):
  model = ml_collections.ConfigDict()
  model.name = "dmn_plus"  # memnets.qa.DMNPlus
  model.dim = 80
  model.passes = 3
  model.embeddings_path = ""  # a word2vec text file of `dim`-long vectors to start the words from
  config = configs.babi_config(
    model, arg, epochs=256, batch_size=128, optimizer="adam", learning_rate=0.001,
    halve_every=0, clip_global_norm=0.0, weight_decay=0.001, patience=20, keep_best=True,
    linear_start=False, random_noise=0.0,
  )  # fmt: skip
  if arg != configs.SMOKE:
    config.task.data_dir = "../shared/babi/en-10k"
    config.task.max_sentences = 70
  return config
