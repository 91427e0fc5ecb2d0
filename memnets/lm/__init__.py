"""The recurrent language model: next-token prediction over a text stream, perplexity, sampling.

- `model`: `LanguageModel` (an RNN, LSTM or GRU over one-hot or embedded tokens, a
  softmax over the vocabulary) and the pure functions that train and score it:
  the masked negative log-likelihood of a window, the stream cut into columns
  for truncated backpropagation through time, corpus perplexity, sentence
  scores and sampling with a temperature.
"""

from memnets.lm import model
from memnets.lm.model import LanguageModel

__all__ = ["LanguageModel", "model"]
