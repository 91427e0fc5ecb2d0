"""The attention encoder-decoder (Bahdanau et al. 2015; Cho et al. 2014).

- `attention`: additive attention and a masked softmax, pure functions.
- `model`: `EncoderDecoder` (a bidirectional GRU or LSTM encoder; a GRU
  decoder with or without attention; teacher forcing, greedy and beam decoding).
- `adapter`: a registry task's batch as (source, target) pairs.
"""

from memnets.seq2seq import adapter, attention, model
from memnets.seq2seq.model import EncoderDecoder

__all__ = ["EncoderDecoder", "adapter", "attention", "model"]
