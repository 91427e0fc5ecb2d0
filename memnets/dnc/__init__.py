"""The Differentiable Neural Computer (Graves et al. 2016, Nature, Methods).

- `addressing`: retention, usage, allocation, write weighting, precedence,
  temporal links, directional and read weightings; one example, no Flax.
- `access`: the interface vector's activations and one step of the memory,
  built from `addressing` and the NTM's content weighting and erase/add write.
- `sparse_link`: the Methods' sparse link matrix (K entries per row), an
  option of `access` and `DNCCell` for large memories.
- `cell`: `DNCCell`, the controller, the interface layer and the output
  around the memory.
"""

from memnets.dnc import access, addressing, sparse_link
from memnets.dnc.cell import DNCCell, DNCState

__all__ = ["DNCCell", "DNCState", "access", "addressing", "sparse_link"]
