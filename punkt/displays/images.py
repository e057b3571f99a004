"""Small PNG images made in memory (the demo's photos and the tests'): a plain picture of
one colour with a darker band, no image library needed."""

from __future__ import annotations

import struct
import zlib


def png(width: int = 32, height: int = 24, rgb: tuple[int, int, int] = (42, 93, 176)) -> bytes:
    """A valid PNG of ``width`` × ``height`` pixels."""
    band = tuple(max(0, c - 60) for c in rgb)
    rows = b"".join(
        b"\x00" + bytes((band if height // 3 <= y < 2 * height // 3 else rgb) * width)
        for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
