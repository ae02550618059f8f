"""Unsigned LEB128, the variable-length integer of protobuf (ONNX files) and DEX (APKs): one reader for both."""

from __future__ import annotations


def read_uleb128(data: bytes, pos: int) -> tuple[int, int]:
    """The integer encoded at `data[pos:]` (7 bits per byte, low first, high bit = more) and the position after it."""
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
