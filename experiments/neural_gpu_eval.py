"""The Neural GPU's evaluation pass at long tapes: seconds per addition and peak memory.

  python -m experiments.neural_gpu_eval --bits=200,2000 --batch_size=1
  python -m experiments.neural_gpu_eval --workdir=DIR --bits=20,100

The train step's benchmark case (`experiments.benchmark`, model neural_gpu)
times 20-bit tapes; training at 2,000 bits does not fit in memory, so this
times the jitted evaluation pass (`NeuralGPU.__call__`, the config's model
sizes) alone: the first call (compilation included) and the median of the
next calls, and the process's peak RSS after each length.

With --workdir (a trained Neural GPU run), it scores that run's every seed
instead: per length, the share of `--batch_size` random additions (or
multiplications) with every bit right, and whether Price et al.'s
structured inputs (`carry`: 2^k − 1 + 1; `sparse`: 2 · 2 after leading
zeros) come out right.
"""

import json

from absl import app, flags

from experiments import platform
from experiments.benchmarks import neural_gpu

_BITS = flags.DEFINE_list("bits", ["200", "2000"], "Bits per operand of each timed tape.")
_BATCH_SIZE = flags.DEFINE_integer("batch_size", 1, "Additions per call.", lower_bound=1)
_CALLS = flags.DEFINE_integer("calls", 2, "Timed calls after the first.", lower_bound=1)
_WORKDIR = flags.DEFINE_string("workdir", None, "Score this trained run instead of timing.")


def main(argv):
  del argv
  platform.setup()
  for bits in _BITS.value:
    if _WORKDIR.value:
      for row in neural_gpu.score(_WORKDIR.value, int(bits), _BATCH_SIZE.value):
        print(json.dumps(row), flush=True)
    else:
      print(json.dumps(neural_gpu.measure(int(bits), _BATCH_SIZE.value, _CALLS.value)), flush=True)


if __name__ == "__main__":
  app.run(main)
