"""Reading the items of one large JSON array without holding the whole document.

NVD's yearly feeds run to hundreds of megabytes; their records sit in one top-level array
(``"vulnerabilities": [...]``). ``array_items`` finds that array by its key and decodes one
item at a time from a sliding buffer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from vigil.advisories.errors import CorruptArchive

_CHUNK = 1 << 20
MAX_ITEM = 64 * 1024 * 1024


def array_items(stream: IO[str], key: str, name: str) -> Iterator[Any]:
    """Each item of the first array under ``"key"``; ``CorruptArchive`` if the JSON is broken.

    The key is taken at its first occurrence, which for the feeds read here is the top-level
    one (every other top-level field comes before it).
    """
    decoder = json.JSONDecoder()
    buf, pos, eof = "", 0, False

    def fill() -> bool:
        nonlocal buf, pos, eof
        more = stream.read(_CHUNK)
        buf, pos = buf[pos:] + more, 0
        eof = not more
        return bool(more)

    needle = f'"{key}"'
    while (found := buf.find(needle, pos)) < 0:
        pos = max(pos, len(buf) - len(needle))
        if not fill():
            raise CorruptArchive(f"{name}: no {key!r} array")
    pos = found + len(needle)
    for expected in (":", "["):
        while True:
            while pos < len(buf) and buf[pos].isspace():
                pos += 1
            if pos < len(buf) or not fill():
                break
        if pos >= len(buf) or buf[pos] != expected:
            raise CorruptArchive(f"{name}: {key!r} is not an array")
        pos += 1
    while True:
        while pos < len(buf) and (buf[pos].isspace() or buf[pos] == ","):
            pos += 1
        if pos >= len(buf):
            if not fill():
                raise CorruptArchive(f"{name}: the {key!r} array is cut short")
            continue
        if buf[pos] == "]":
            return
        try:
            item, end = decoder.raw_decode(buf, pos)
        except json.JSONDecodeError as exc:
            if len(buf) - pos > MAX_ITEM:
                raise CorruptArchive(f"{name}: an item larger than {MAX_ITEM} bytes") from None
            if eof or not fill():
                raise CorruptArchive(f"{name}: broken JSON ({exc.msg})") from None
            continue
        yield item
        pos = end
