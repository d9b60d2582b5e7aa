"""Zip integrity checks and bounded reading of the records inside an OSV export.

Members are read straight from their local headers and inflated with zlib, checking each one's
size and CRC-32 against the central directory: an export holds hundreds of thousands of small
members, and ``zipfile``'s per-member stream objects would cost more than the parsing does.
Only stored and deflated members are accepted (all an OSV export uses); anything else, or any
mismatch, makes the whole archive ``CorruptArchive``.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from vigil.advisories.errors import CorruptArchive

MAX_RECORD_BYTES = 16 * 1024 * 1024  # the largest real OSV records are a few hundred KiB
MAX_MEMBERS = 5_000_000
MAX_TOTAL_BYTES = 64 * 1024**3

_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length
_SIGNATURE = b"PK\x03\x04"


def _listing(path: Path) -> list[zipfile.ZipInfo]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptArchive(f"{path.name}: not a readable zip ({exc})") from None
    if len(members) > MAX_MEMBERS:
        raise CorruptArchive(f"{path.name}: {len(members)} members, over {MAX_MEMBERS}")
    total = sum(m.file_size for m in members)
    if total > MAX_TOTAL_BYTES:
        raise CorruptArchive(f"{path.name}: {total} bytes uncompressed, over the bound")
    return members


def _inflate(stream: BinaryIO, member: zipfile.ZipInfo) -> tuple[bytes, bytes | None]:
    read, seek = stream.read, stream.seek
    seek(member.header_offset)
    signature, name_len, extra_len = _LOCAL_HEADER.unpack(read(_LOCAL_HEADER.size))
    if signature != _SIGNATURE:
        raise ValueError("bad local header")
    seek(name_len + extra_len, 1)
    raw = read(member.compress_size)
    if len(raw) != member.compress_size:
        raise ValueError("truncated member data")
    deflated = None
    if member.compress_type == zipfile.ZIP_STORED:
        data = raw
    elif member.compress_type == zipfile.ZIP_DEFLATED:
        deflated = raw
        inflater = zlib.decompressobj(-15)
        data = inflater.decompress(raw, member.file_size + 1)
    else:
        raise ValueError(f"unsupported compression method {member.compress_type}")
    if len(data) != member.file_size or zlib.crc32(data) != member.CRC:
        raise ValueError("CRC or size mismatch")
    return data, deflated


Member = tuple[str, bytes | None, bytes | None]  # name, data (None: too large), deflate stream


def _read(path: Path, members: list[zipfile.ZipInfo]) -> Iterator[Member]:
    with path.open("rb") as stream:
        for member in members:
            if member.file_size > MAX_RECORD_BYTES:
                yield member.filename, None, None
                continue
            try:
                data, deflated = _inflate(stream, member)
            except (ValueError, zlib.error, struct.error) as exc:
                raise CorruptArchive(
                    f"{path.name}: member {member.filename} fails its integrity check ({exc})"
                ) from None
            yield member.filename, data, deflated


def validate_zip(path: Path) -> int:
    """Check a zip's structure, bounds and every member's data and CRC; return its member count.

    Every member is inflated before anything is imported, so a damaged export is refused as a
    whole instead of half-applied.
    """
    members = _listing(path)
    for _ in _read(path, [m for m in members if not m.is_dir()]):
        pass
    return len(members)


def zip_members(path: Path, shard: int = 0, shards: int = 1) -> Iterator[Member]:
    """``(name, bytes, deflate stream)`` for the ``.json`` members; the bytes are ``None`` for a
    member over the size bound, the stream ``None`` for a stored (uncompressed) member.

    ``shard`` of ``shards`` takes every ``shards``-th member, for parsing in parallel. A member
    that fails its check raises ``CorruptArchive``: the archive is then not trustworthy.
    """
    members = [m for m in _listing(path) if not m.is_dir() and m.filename.endswith(".json")]
    return _read(path, members[shard::shards])
