"""Question answering over memory: end-to-end memory networks (`memn2n`) and DMN+ (`dmn`)."""

from memnets.qa import dmn, memn2n
from memnets.qa.dmn import DMNPlus
from memnets.qa.memn2n import MemN2N, position_encoding, random_empty_memories

__all__ = ["DMNPlus", "MemN2N", "dmn", "memn2n", "position_encoding", "random_empty_memories"]
