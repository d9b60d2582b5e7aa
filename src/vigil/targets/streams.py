"""Byte streams for reading untrusted archives once, front to back.

``Section`` reads one member of an outer archive from its own file handle. ``Meter`` reads ahead
in large chunks, serves small reads from its buffer, skips forward, and counts, hashes and
bounds every byte it pulls; decoder failures under it become ``CorruptArchive``.
"""

from __future__ import annotations

import hashlib
import io
import lzma
import os
import tarfile
import zlib
from typing import IO, Any, Protocol, cast

from vigil.targets.errors import CorruptArchive, LimitExceeded, TargetError

CHUNK = 64 * 1024
MAX_PULL = 1024 * 1024  # no single read from a decoder asks for more (bounded memory)

# Failures of the stdlib decoders on damaged input (gzip raises OSError and EOFError).
_DECODER_ERRORS: tuple[type[BaseException], ...] = (EOFError, OSError, zlib.error, lzma.LZMAError)


class Source(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


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


class Meter:
    """A forward-only reader over ``inner`` that hashes and budgets every byte it pulls."""

    def __init__(
        self,
        inner: Source,
        name: str,
        *,
        budget: Budget | None = None,
        digest: str | None = None,
    ) -> None:
        self._inner = inner
        self._name = name
        self._budget = budget
        self._hash = hashlib.new(digest.split(":", 1)[0]) if digest else None
        self.count = 0  # bytes pulled from inner
        self.pos = 0  # bytes handed out (or skipped)
        self._buf = b""
        self._off = 0

    def _pull(self, size: int) -> bytes:
        try:
            data = self._inner.read(size)
        except TargetError:
            raise
        except _DECODER_ERRORS as exc:
            raise CorruptArchive(f"{self._name}: damaged or truncated stream ({exc})") from exc
        except Exception as exc:  # other decoders (zstd) have their own error types
            raise CorruptArchive(f"{self._name}: damaged stream ({exc})") from exc
        if not data:
            return b""
        self.count += len(data)
        if self._budget is not None:
            self._budget.spend(len(data))
        if self._hash is not None:
            self._hash.update(data)
        return data

    def peek(self, n: int) -> bytes:
        while len(self._buf) - self._off < n:
            more = self._pull(CHUNK)
            if not more:
                break
            self._buf = self._buf[self._off :] + more
            self._off = 0
        return self._buf[self._off : self._off + n]

    def read(self, size: int = -1, /) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(CHUNK), b""))
        if self._off == len(self._buf):
            self._buf, self._off = self._pull(min(max(size, CHUNK), MAX_PULL)), 0
        if size <= len(self._buf) - self._off:
            out = self._buf[self._off : self._off + size]
            self._off += size
            self.pos += size
            return out
        parts = [self._buf[self._off :]]
        got = len(parts[0])
        self._buf, self._off = b"", 0
        while got < size:
            chunk = self._pull(min(max(size - got, CHUNK), MAX_PULL))
            if not chunk:
                break
            need = size - got
            if len(chunk) > need:
                parts.append(chunk[:need])
                self._buf, self._off = chunk, need
                got = size
            else:
                parts.append(chunk)
                got += len(chunk)
        self.pos += got
        return b"".join(parts)

    def tell(self) -> int:
        return self.pos

    def seek(self, pos: int, whence: int = os.SEEK_SET) -> int:
        if whence == os.SEEK_CUR:
            pos += self.pos
        if whence == os.SEEK_END or pos < self.pos:
            raise io.UnsupportedOperation(f"{self._name}: a stream only seeks forward")
        left = pos - self.pos
        while left > 0:
            if self._off == len(self._buf):
                self._buf, self._off = self._pull(min(max(left, CHUNK), MAX_PULL)), 0
                if not self._buf:
                    break  # past the end: the next read returns nothing, as a file would
            step = min(left, len(self._buf) - self._off)
            self._off += step
            left -= step
        self.pos = pos
        return pos

    def drain(self) -> None:
        self._buf, self._off = b"", 0
        while self._pull(CHUNK):
            pass

    def hexdigest(self) -> str:
        assert self._hash is not None
        return f"{self._hash.name}:{self._hash.hexdigest()}"

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


def forget_members(tar: tarfile.TarFile) -> None:
    """Drop tarfile's list of members already read: a stream of millions must not keep them."""
    cast(Any, tar).members.clear()
