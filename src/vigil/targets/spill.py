"""Kept contents of wanted files: small ones in memory, the rest in a private temporary dir."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from typing import IO, Protocol

from vigil.targets.limits import Limits

CHUNK = 1024 * 1024


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class ContentStore:
    """Holds file contents copied out of a stream; ``close`` removes everything spilled."""

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._in_memory = 0
        self._dir: str | None = None
        self._count = 0

    def keep(self, src: Readable, size: int) -> bytes | str:
        """Copy ``size`` bytes of ``src``; bytes when they fit the memory budget, else a file."""
        fits = self._in_memory + size <= self._limits.memory_budget_bytes
        if size <= self._limits.memory_file_bytes and fits:
            data = src.read(size)
            self._in_memory += len(data)
            return data
        path = self._new_path()
        with open(path, "wb") as out:
            copy(src, out, size)
        return path

    def temporary(self) -> IO[bytes]:
        """An anonymous file in the spill directory, gone once closed."""
        return tempfile.TemporaryFile(dir=self._spill_dir())

    def open(self, data: bytes | str) -> IO[bytes]:
        return io.BytesIO(data) if isinstance(data, bytes) else open(data, "rb")

    def close(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _spill_dir(self) -> str:
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="vigil-target-")
        return self._dir

    def _new_path(self) -> str:
        # Names are counters, never member names: nothing from the target picks a host path.
        self._count += 1
        return os.path.join(self._spill_dir(), str(self._count))


def copy(src: Readable, out: IO[bytes], size: int) -> int:
    """Copy at most ``size`` bytes in bounded chunks; the number copied."""
    left = size
    while left > 0:
        chunk = src.read(min(CHUNK, left))
        if not chunk:
            break
        out.write(chunk)
        left -= len(chunk)
    return size - left
