"""The Transformer encoder baseline (Delétang et al. 2023) and its positional encodings."""

from memnets.transformer import positional
from memnets.transformer.encoder import TransformerEncoder

__all__ = ["TransformerEncoder", "positional"]
