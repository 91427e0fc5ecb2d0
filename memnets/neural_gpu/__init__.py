"""The Neural GPU (Kaiser & Sutskever 2016): a convolutional GRU over a 2-D mental image."""

from memnets.neural_gpu import cgru
from memnets.neural_gpu.model import NeuralGPU

__all__ = ["NeuralGPU", "cgru"]
