"""Decompression chosen by magic bytes: gzip (multi-member), zstd, xz, bzip2, or none."""

from __future__ import annotations

import bz2
import importlib
import lzma
import zlib
from collections.abc import Callable
from typing import IO, cast

from vigil.targets.errors import CorruptArchive, UnsupportedTarget
from vigil.targets.streams import CHUNK, Meter, Source

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
XZ_MAGIC = b"\xfd7zXZ\x00"
BZ2_MAGIC = b"BZh"


def decompressed(raw: Meter, name: str) -> Source:
    """``raw`` decoded according to its first bytes."""
    head = raw.peek(6)
    if head.startswith(GZIP_MAGIC):
        return Gunzip(raw, name)
    if head.startswith(ZSTD_MAGIC):
        return zstd_reader(name)(raw)
    if head.startswith(XZ_MAGIC):
        return lzma.LZMAFile(cast(IO[bytes], raw))
    if head.startswith(BZ2_MAGIC):
        return bz2.BZ2File(cast(IO[bytes], raw))
    return raw


class Gunzip:
    """gzip members decoded in large chunks, output bounded per call (bombs stay bounded).

    ``gzip.GzipFile`` feeds zlib 8 KiB at a time; this reader is several times faster on layers.
    zlib checks each member's CRC and length; input that ends inside a member is truncated.
    """

    def __init__(self, raw: Source, name: str) -> None:
        self._raw = raw
        self._name = name
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16)
        self._pending = b""

    def read(self, size: int = -1, /) -> bytes:
        size = size if size is not None and size >= 0 else CHUNK
        while True:
            if self._z.eof:
                rest = self._z.unused_data or self._raw.read(CHUNK)
                while rest and not rest.strip(b"\0"):  # zero padding after the last member
                    rest = self._raw.read(CHUNK)
                if not rest:
                    return b""
                self._z = zlib.decompressobj(zlib.MAX_WBITS | 16)
                self._pending = rest
            if not self._pending:
                out = self._z.decompress(b"", size)  # output zlib still holds back
                if out:
                    return out
                if self._z.eof:
                    continue
                self._pending = self._raw.read(CHUNK)
                if not self._pending:
                    raise CorruptArchive(f"{self._name}: gzip stream truncated")
            out = self._z.decompress(self._pending, size)
            self._pending = self._z.unconsumed_tail
            if out:
                return out

    def close(self) -> None:
        close = getattr(self._raw, "close", None)
        if close is not None:
            close()


def zstd_reader(name: str) -> Callable[[Source], Source]:
    """A zstd decoder from the first module present, or a clear error naming what to install."""
    for module in ("compression.zstd", "backports.zstd"):
        try:
            return importlib.import_module(module).ZstdFile  # type: ignore[no-any-return]
        except ImportError:
            continue
    try:
        zstandard = importlib.import_module("zstandard")
    except ImportError:
        raise UnsupportedTarget(
            f"{name}: zstd-compressed layer, but no zstd module is available "
            "(install backports.zstd, or use Python 3.14+)"
        ) from None
    return zstandard.ZstdDecompressor().stream_reader  # type: ignore[no-any-return]
