"""One data file from a URL or a local path: fetched conditionally, opened whether gzipped or not.

EPSS, KEV and NVD feed files arrive whole; a source names where (``https://…`` or a path) and
this module brings the file home with the same rules as the OSV export: conditional request,
retries, a scratch directory removed on failure, and ``Unchanged`` when neither the validators
nor the content changed.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import tempfile
from pathlib import Path
from typing import IO, BinaryIO

from vigil.advisories.clock import Clock, utcnow
from vigil.advisories.errors import SourceError
from vigil.advisories.fingerprint import Fingerprint
from vigil.advisories.sources.base import FetchResult, Unchanged
from vigil.advisories.sources.http import Downloader

_GZIP_MAGIC = b"\x1f\x8b"


def is_url(location: str) -> bool:
    return location.startswith(("https://", "http://"))


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def fetch_file(
    location: str,
    previous: Fingerprint | None,
    *,
    downloader: Downloader,
    clock: Clock,
) -> FetchResult | Unchanged:
    """Bring one file home; ``Unchanged`` if the server or its digest says it is the same."""
    previous = previous or Fingerprint()
    now = clock()
    if not is_url(location):
        path = Path(location)
        try:
            digest = _sha256(path)
        except OSError as exc:
            raise SourceError(f"{location}: {exc.strerror or exc}") from None
        if digest == previous.get("sha256"):
            return Unchanged()
        return FetchResult(path, "file", Fingerprint.of(sha256=digest), True, now)
    scratch = Path(tempfile.mkdtemp(prefix="vigil-file-"))
    try:
        target = scratch / (location.rstrip("/").rpartition("/")[2] or "download")
        got = downloader.download(
            location,
            target,
            etag=previous.get("etag"),
            last_modified=previous.get("last_modified"),
        )
        if got is None:
            shutil.rmtree(scratch, ignore_errors=True)
            return Unchanged()
        digest = _sha256(target)
        fingerprint = Fingerprint.of(etag=got.etag, last_modified=got.last_modified, sha256=digest)
        if digest == previous.get("sha256"):  # a server without validators, same content
            shutil.rmtree(scratch, ignore_errors=True)
            return Unchanged(fingerprint)
        return FetchResult(target, "file", fingerprint, True, now, scratch)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise


def open_text(path: Path, *, max_bytes: int = 4 * 1024**3) -> IO[str]:
    """Open a text file that may be gzip-compressed (detected by its magic bytes)."""
    raw = path.open("rb")
    gzipped = raw.read(2) == _GZIP_MAGIC
    raw.seek(0)
    binary: BinaryIO = raw
    if gzipped:
        binary = io.BufferedReader(_Bounded(raw, max_bytes, path.name))
    return io.TextIOWrapper(binary, encoding="utf-8", errors="replace")


class _Bounded(io.RawIOBase):
    """Stops a decompression bomb: reading past ``limit`` bytes raises ``SourceError``."""

    def __init__(self, raw: BinaryIO, limit: int, name: str) -> None:
        self._raw = raw
        self._inner = gzip.GzipFile(fileobj=raw)
        self._left = limit
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise SourceError(f"{self._name}: decompresses to more than the allowed size")
        self._left -= len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        self._raw.close()  # GzipFile leaves a file object it was given open
        super().close()


class FileSource:
    """What every one-file feed shares (EPSS, KEV): where it is, and fetching it conditionally.

    Subclasses set ``kind`` and ``default_location`` and write ``parse``.
    """

    kind: str = ""
    default_location: str = ""

    def __init__(
        self,
        location: str | None = None,
        *,
        downloader: Downloader | None = None,
        clock: Clock = utcnow,
        name: str | None = None,
    ) -> None:
        self.location = location or self.default_location
        self._downloader = downloader or Downloader()
        self._clock = clock
        self._name = name or self.kind

    @property
    def name(self) -> str:
        return self._name

    def fetch(self, previous: Fingerprint | None) -> FetchResult | Unchanged:
        return fetch_file(self.location, previous, downloader=self._downloader, clock=self._clock)
