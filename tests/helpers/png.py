"""PNG checks shared by the figure tests (not a test module).

A PNG starts with an 8-byte signature and an IHDR chunk whose first fields are
the width and height (big-endian uint32 at bytes 16–24).
"""

import pathlib
import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_DRAWN_BYTES = 5_000  # a blank canvas compresses to far less than a drawn figure


def png_size(path, min_bytes: int = MIN_DRAWN_BYTES) -> tuple[int, int]:
  """(width, height) of the PNG at `path`, asserting it is a PNG of > min_bytes."""
  data = pathlib.Path(path).read_bytes()
  assert data[:8] == PNG_SIGNATURE
  assert data[12:16] == b"IHDR"
  assert len(data) > min_bytes
  return struct.unpack(">II", data[16:24])
