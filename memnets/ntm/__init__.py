"""The Neural Turing Machine (Graves, Wayne & Danihelka 2014, arXiv:1410.5401).

- `addressing`: eqs. 5–9 (content focus, interpolation, shift, sharpening), one head.
- `memory`: eqs. 2–4 (read, erase-and-add write) and the initialisation schemes.
- `fused`: the batched access of one step with a hand-written gradient, tested
  equal to `addressing` and `memory`; the `NTMCell`'s default path.
- `cell`: `NTMCell`, the controller and heads around the memory.
"""

from memnets.ntm import addressing, fused, memory
from memnets.ntm.cell import NTMCell, NTMState

__all__ = ["NTMCell", "NTMState", "addressing", "fused", "memory"]
