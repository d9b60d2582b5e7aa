"""Zip integrity checks and bounded reading of the records inside an OSV export."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from vigil.advisories.errors import CorruptArchive

MAX_RECORD_BYTES = 16 * 1024 * 1024  # the largest real OSV records are a few hundred KiB
MAX_MEMBERS = 5_000_000
MAX_TOTAL_BYTES = 64 * 1024**3

_BROKEN = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError)


def validate_zip(path: Path) -> int:
    """Check a zip's structure, bounds and every member's data and CRC; return its member count.

    Every member is decompressed (in chunks) before anything is imported, so a damaged export
    is refused as a whole instead of half-applied.
    """
    current = None
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise CorruptArchive(f"{path.name}: {len(members)} members, over {MAX_MEMBERS}")
            total = sum(m.file_size for m in members)
            if total > MAX_TOTAL_BYTES:
                raise CorruptArchive(f"{path.name}: {total} bytes uncompressed, over the bound")
            for member in members:
                current = member.filename
                with archive.open(member) as stream:
                    while stream.read(1 << 20):
                        pass
    except _BROKEN as exc:
        where = f"member {current} fails its integrity check" if current else "not a readable zip"
        raise CorruptArchive(f"{path.name}: {where} ({exc})") from None
    return len(members)


def zip_members(path: Path) -> Iterator[tuple[str, bytes | None]]:
    """``(member name, bytes)`` for each ``.json`` member; ``None`` for one over the size bound.

    A member that fails to decompress or its CRC raises ``CorruptArchive``: the archive as a
    whole is then not trustworthy.
    """
    current = None
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.infolist():
                if member.is_dir() or not member.filename.endswith(".json"):
                    continue
                if member.file_size > MAX_RECORD_BYTES:
                    yield member.filename, None
                    continue
                current = member.filename
                with archive.open(member) as stream:
                    data = stream.read(MAX_RECORD_BYTES + 1)
                current = None
                yield member.filename, data
    except _BROKEN as exc:
        where = f"member {current} is corrupt" if current else "not a readable zip"
        raise CorruptArchive(f"{path.name}: {where} ({exc})") from None
