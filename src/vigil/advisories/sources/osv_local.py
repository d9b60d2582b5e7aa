"""OSV records from local files: a directory tree of JSON records, or one zip (``all.zip``)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

from vigil.advisories.clock import Clock, utcnow
from vigil.advisories.errors import SourceError
from vigil.advisories.fingerprint import Fingerprint
from vigil.advisories.sources.archive import validate_zip
from vigil.advisories.sources.base import EncodedParse, FetchResult, ParseFailure, Unchanged
from vigil.advisories.sources.osv_records import json_files, read_osv, read_osv_encoded
from vigil.domain import Advisory


class OsvDirectorySource:
    """A directory of OSV JSON files (searched recursively).

    The fingerprint covers every file's path, size and modification time, so an untouched tree
    answers ``Unchanged`` without being read. ``complete=False`` makes it a drop folder of
    updates rather than the source's whole data set.
    """

    def __init__(
        self, path: Path, *, name: str | None = None, complete: bool = True, clock: Clock = utcnow
    ) -> None:
        self.path = path
        self._name = name or f"osv-dir:{path.name}"
        self._complete = complete
        self._clock = clock

    @property
    def name(self) -> str:
        return self._name

    def fetch(self, previous: Fingerprint | None) -> FetchResult | Unchanged:
        if not self.path.is_dir():
            raise SourceError(f"{self.path}: not a directory")
        listing = hashlib.sha256()
        files = json_files(self.path)
        for path in files:
            stat = path.stat()
            rel = path.relative_to(self.path).as_posix()
            listing.update(f"{rel}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        fingerprint = Fingerprint.of(listing=listing.hexdigest())
        if previous == fingerprint:
            return Unchanged()
        return FetchResult(
            self.path, "dir", fingerprint, self._complete, self._clock(), size_hint=len(files)
        )

    def parse(self, fetched: FetchResult) -> Iterator[Advisory | ParseFailure]:
        return read_osv(fetched)

    def encoded_parse(self) -> EncodedParse:
        return read_osv_encoded


class OsvZipSource:
    """One local zip of OSV JSON records, such as an OSV ``all.zip`` export; always complete."""

    def __init__(self, path: Path, *, name: str | None = None, clock: Clock = utcnow) -> None:
        self.path = path
        self._name = name or f"osv-zip:{path.name}"
        self._clock = clock

    @property
    def name(self) -> str:
        return self._name

    def fetch(self, previous: Fingerprint | None) -> FetchResult | Unchanged:
        try:
            with self.path.open("rb") as stream:
                digest = hashlib.file_digest(stream, "sha256").hexdigest()
        except OSError as exc:
            raise SourceError(f"{self.path}: {exc.strerror or exc}") from None
        fingerprint = Fingerprint.of(sha256=digest)
        if previous == fingerprint:
            return Unchanged()
        members = validate_zip(self.path)
        return FetchResult(self.path, "zip", fingerprint, True, self._clock(), size_hint=members)

    def parse(self, fetched: FetchResult) -> Iterator[Advisory | ParseFailure]:
        return read_osv(fetched)

    def encoded_parse(self) -> EncodedParse:
        return read_osv_encoded
