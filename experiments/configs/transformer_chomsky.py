"""Transformer encoder on a Chomsky-hierarchy task — Delétang et al. 2023, Table 2.

Command:
  python -m experiments.train --config=experiments/configs/transformer_chomsky.py \\
    --config.task.name=reverse_string --workdir=/tmp/transformer_reverse_string
  (`:smoke` for a seconds-long check; `--config.num_seeds=10` for the paper's seeds.)

Paper: an encoder of 5 post-norm blocks, width 64, 8 heads, feed-forward
width 256, reading the input and the output phase's query steps at once (not
causal), five positional encodings of which Table 2 reports each task's best;
the protocol is `configs.chomsky_config`'s; `--config.model.positional_encoding`
picks one of the five (none, sin_cos, rope, alibi, relative: Transformer-XL's).
Differences: no dropout (the paper: 0.1); memnets' grid runs sin_cos only (the
paper's code's default), not the best of five.

Expected: near chance beyond the training lengths on the non-regular tasks
(the paper's Table 2: e.g. 62.3% on reverse_string, 52.8% on duplicate_string).
"""

import ml_collections

from experiments import configs


def get_config(arg: str | None = None):
  model = ml_collections.ConfigDict()
  model.name = "transformer"  # memnets.transformer.TransformerEncoder
  model.dim = 64  # the paper's width
  model.num_layers = 5  # blocks
  model.num_heads = 8
  model.widening = 4  # feed-forward width 4 x 64 (the paper's code)
  model.positional_encoding = "sin_cos"  # none | sin_cos | rope | alibi | relative
  return configs.chomsky_config(model, arg)
