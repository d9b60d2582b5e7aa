"""Byte streams for reading untrusted archives once, front to back.

``Section`` reads one member of an outer archive from its own file handle; ``Meter`` counts,
hashes and bounds what passes through it and turns decoder failures into ``CorruptArchive``;
``decompressed`` picks the decoder from the stream's magic bytes.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import importlib
import io
import lzma
import tarfile
import zlib
from collections import deque
from collections.abc import Callable
from typing import IO, Any, cast

from vigil.targets.errors import CorruptArchive, LimitExceeded, TargetError, UnsupportedTarget

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
XZ_MAGIC = b"\xfd7zXZ\x00"
BZ2_MAGIC = b"BZh"

# Failures of the stdlib decoders on damaged input (gzip raises OSError and EOFError).
_DECODER_ERRORS: tuple[type[BaseException], ...] = (EOFError, OSError, zlib.error, lzma.LZMAError)


class Budget:
    """Uncompressed bytes left for a whole target; spending past it raises ``LimitExceeded``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spent = 0

    def spend(self, n: int) -> None:
        self.spent += n
        if self.spent > self.limit:
            raise LimitExceeded(f"more than {self.limit} uncompressed bytes")


class Section(io.RawIOBase):
    """``size`` bytes at ``offset`` of a file; a short read means the file was truncated."""

    def __init__(self, base: IO[bytes], offset: int, size: int, name: str) -> None:
        super().__init__()
        self._base = base
        self._left = size
        self._name = name
        base.seek(offset)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._left)
        if want == 0:
            return 0
        data = self._base.read(want)
        if not data:
            raise CorruptArchive(f"{self._name}: archive ends inside this member (truncated)")
        view[: len(data)] = data
        self._left -= len(data)
        return len(data)

    def close(self) -> None:
        self._base.close()
        super().close()


class Meter(io.RawIOBase):
    """Passes bytes through, hashing them, spending a budget and keeping a short tail.

    The tail lets the caller check that a tar stream really ended with its end-of-archive block:
    tarfile treats a stream cut at a header boundary as a normal end.
    """

    TAIL = 64 * 1024

    def __init__(
        self,
        inner: IO[bytes],
        name: str,
        *,
        budget: Budget | None = None,
        digest: str | None = None,
    ) -> None:
        super().__init__()
        self._inner = inner
        self._name = name
        self._budget = budget
        self._hash = hashlib.new(digest.split(":", 1)[0]) if digest else None
        self.count = 0
        self._tail: deque[bytes] = deque()
        self._tail_len = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        try:
            data = self._inner.read(len(view))
        except TargetError:
            raise
        except _DECODER_ERRORS as exc:
            raise CorruptArchive(f"{self._name}: damaged or truncated stream ({exc})") from exc
        except Exception as exc:  # other decoders (zstd) have their own error types
            raise CorruptArchive(f"{self._name}: damaged stream ({exc})") from exc
        n = len(data)
        view[:n] = data
        self.count += n
        if self._budget is not None:
            self._budget.spend(n)
        if self._hash is not None:
            self._hash.update(data)
        if n:
            self._tail.append(bytes(data))
            self._tail_len += n
            while self._tail_len - len(self._tail[0]) >= self.TAIL:
                self._tail_len -= len(self._tail.popleft())
        return n

    def drain(self) -> None:
        while self.read(1024 * 1024):
            pass

    def hexdigest(self) -> str:
        assert self._hash is not None
        return f"{self._hash.name}:{self._hash.hexdigest()}"

    def zeros_at(self, offset: int, length: int) -> bool:
        """Whether the ``length`` bytes at absolute ``offset`` were read and are all zero."""
        start = self.count - self._tail_len
        if offset < start or offset + length > self.count:
            return False
        tail = b"".join(self._tail)
        return tail[offset - start : offset - start + length].count(0) == length

    def close(self) -> None:
        self._inner.close()
        super().close()


def decompressed(raw: io.RawIOBase, name: str) -> IO[bytes]:
    """``raw`` decoded according to its magic bytes: gzip, zstd, xz, bzip2 or plain."""
    buffered = io.BufferedReader(raw)
    head = buffered.peek(6)[:6]
    if head.startswith(GZIP_MAGIC):
        return cast(IO[bytes], gzip.GzipFile(fileobj=buffered, mode="rb"))
    if head.startswith(ZSTD_MAGIC):
        return zstd_reader(name)(cast(IO[bytes], buffered))
    if head.startswith(XZ_MAGIC):
        return cast(IO[bytes], lzma.LZMAFile(buffered))
    if head.startswith(BZ2_MAGIC):
        return cast(IO[bytes], bz2.BZ2File(buffered))
    return cast(IO[bytes], buffered)


def forget_members(tar: tarfile.TarFile) -> None:
    """Drop tarfile's list of members already read: a stream of millions must not keep them."""
    cast(Any, tar).members.clear()


def zstd_reader(name: str) -> Callable[[IO[bytes]], IO[bytes]]:
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
