"""Question answering over memory: end-to-end memory networks (`memn2n`)."""

from memnets.qa import memn2n
from memnets.qa.memn2n import MemN2N, position_encoding, random_empty_memories

__all__ = ["MemN2N", "memn2n", "position_encoding", "random_empty_memories"]
