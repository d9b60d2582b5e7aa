"""The rpm header blob that every rpm database backend stores, one per installed package.

Layout (big-endian): ``il`` index entries and ``dl`` data bytes, then ``il`` entries of
``(tag, type, offset, count)``, then the data store. Only the tags a scanner needs are decoded,
and every offset and count is checked against the blob before it is read.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAX_ENTRIES = 0xFFFF
MAX_DATA = 256 * 1024 * 1024

TAG_NAME = 1000
TAG_VERSION = 1001
TAG_RELEASE = 1002
TAG_EPOCH = 1003
TAG_ARCH = 1022
TAG_OLDFILENAMES = 1027
TAG_FILEMODES = 1030
TAG_SOURCERPM = 1044
TAG_DIRINDEXES = 1116
TAG_BASENAMES = 1117
TAG_DIRNAMES = 1118

_INT16, _INT32, _STRING, _STRING_ARRAY, _I18NSTRING = 3, 4, 6, 8, 9
_S_IFMT, _S_IFDIR = 0o170000, 0o040000


class HeaderError(ValueError):
    """A header blob that cannot be read safely."""


@dataclass(frozen=True, slots=True)
class RpmHeader:
    """What Vigil reads from one installed package's header."""

    name: str
    version: str
    release: str
    epoch: int | None
    arch: str | None
    source_rpm: str | None
    files: tuple[str, ...]  # regular files and links, without the leading "/"


class _Blob:
    def __init__(self, blob: bytes) -> None:
        if len(blob) < 8:
            raise HeaderError(f"header blob of {len(blob)} bytes is too short")
        il, dl = struct.unpack_from(">II", blob, 0)
        if il == 0 or il > MAX_ENTRIES or dl > MAX_DATA:
            raise HeaderError(f"implausible header sizes: {il} entries, {dl} data bytes")
        self.store = 8 + 16 * il
        if len(blob) < self.store + dl:
            raise HeaderError(f"header blob truncated: {len(blob)} < {self.store + dl} bytes")
        self.blob = blob
        self.dl = dl
        self.entries: dict[int, tuple[int, int, int]] = {}
        for index in range(il):
            tag, kind, offset, count = struct.unpack_from(">IIII", blob, 8 + 16 * index)
            self.entries.setdefault(tag, (kind, offset, count))

    def _locate(self, tag: int, kinds: tuple[int, ...]) -> tuple[int, int] | None:
        found = self.entries.get(tag)
        if found is None:
            return None
        kind, offset, count = found
        if kind not in kinds:
            raise HeaderError(f"tag {tag} has type {kind}, expected one of {kinds}")
        if offset >= self.dl or count > self.dl:
            raise HeaderError(f"tag {tag} points outside the data store")
        return self.store + offset, count

    def strings(self, tag: int) -> list[str] | None:
        located = self._locate(tag, (_STRING, _STRING_ARRAY, _I18NSTRING))
        if located is None:
            return None
        start, count = located
        end_of_store = self.store + self.dl
        values: list[str] = []
        for _ in range(count):
            end = self.blob.find(b"\0", start, end_of_store)
            if end < 0:
                raise HeaderError(f"tag {tag}: string runs past the data store")
            values.append(self.blob[start:end].decode("utf-8", "replace"))
            start = end + 1
        return values

    def string(self, tag: int) -> str | None:
        values = self.strings(tag)
        return values[0] if values else None

    def integers(self, tag: int, kind: int) -> list[int] | None:
        located = self._locate(tag, (kind,))
        if located is None:
            return None
        start, count = located
        width = 4 if kind == _INT32 else 2
        if start + width * count > self.store + self.dl:
            raise HeaderError(f"tag {tag}: array runs past the data store")
        return list(struct.unpack_from(f">{count}{'I' if width == 4 else 'H'}", self.blob, start))


def parse_header(blob: bytes) -> RpmHeader:
    """Decode one header blob; ``HeaderError`` says what is wrong with a bad one."""
    header = _Blob(blob)
    name = header.string(TAG_NAME)
    version = header.string(TAG_VERSION)
    release = header.string(TAG_RELEASE)
    if not name or version is None or release is None:
        raise HeaderError("header lacks NAME, VERSION or RELEASE")
    epochs = header.integers(TAG_EPOCH, _INT32)
    return RpmHeader(
        name=name,
        version=version,
        release=release,
        epoch=epochs[0] if epochs else None,
        arch=header.string(TAG_ARCH) or None,
        source_rpm=header.string(TAG_SOURCERPM) or None,
        files=_files(header),
    )


def _files(header: _Blob) -> tuple[str, ...]:
    basenames = header.strings(TAG_BASENAMES)
    if basenames is None:
        paths = header.strings(TAG_OLDFILENAMES) or []
    else:
        dirnames = header.strings(TAG_DIRNAMES) or []
        indexes = header.integers(TAG_DIRINDEXES, _INT32) or []
        if len(indexes) != len(basenames) or any(i >= len(dirnames) for i in indexes):
            raise HeaderError("file list: DIRINDEXES do not match BASENAMES and DIRNAMES")
        paths = [dirnames[i] + base for i, base in zip(indexes, basenames, strict=True)]
    modes = header.integers(TAG_FILEMODES, _INT16)
    if modes is not None and len(modes) == len(paths):
        # Directories are shared between packages; attributing them says nothing.
        paths = [p for p, m in zip(paths, modes, strict=True) if m & _S_IFMT != _S_IFDIR]
    return tuple(p.lstrip("/") for p in paths if p.strip("/"))
