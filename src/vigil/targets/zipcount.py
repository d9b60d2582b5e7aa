"""The entry count a zip declares, read from its end records before anything else is parsed.

``zipfile`` loads the whole central directory into memory; counting first keeps a hostile zip
with millions of entries from costing that memory and time.
"""

from __future__ import annotations

import os
import struct

_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_MAX_COMMENT = 0xFFFF


def declared_entries(path: str) -> int | None:
    """The total entry count of the zip at ``path``, or None if no end record is found."""
    with open(path, "rb") as fh:
        size = fh.seek(0, os.SEEK_END)
        tail_len = min(size, 22 + _MAX_COMMENT + 20)
        fh.seek(size - tail_len)
        tail = fh.read(tail_len)
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            return None
        count: int = struct.unpack("<H", tail[at + 10 : at + 12])[0]
        if count != 0xFFFF or at < 20 or tail[at - 20 : at - 16] != _ZIP64_LOCATOR:
            return count
        (zip64_offset,) = struct.unpack("<Q", tail[at - 12 : at - 4])
        if zip64_offset + 56 > size:
            return None
        fh.seek(zip64_offset)
        record = fh.read(56)
        if record[:4] != _ZIP64_EOCD:
            return None
        (count64,) = struct.unpack("<Q", record[32:40])
        return int(count64)
