"""The AdvisorySource seam: ``fetch`` brings data home, ``parse`` reads it, kept apart.

``fetch(previous)`` gets the fingerprint of the last successful sync and either answers
``Unchanged`` or returns a ``FetchResult``: a validated local blob (a zip file or a directory of
JSON files) that nothing has read into the store yet. ``parse(result)`` yields one item per
record: an ``Advisory``, or a ``ParseFailure`` naming the record, so that one bad record never
costs the others. Fetching is tested against a local HTTP server, parsing against files.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Literal, Protocol

from vigil.advisories.codec import EncodedRecord
from vigil.advisories.enrichment import EnrichmentItem
from vigil.advisories.fingerprint import Fingerprint
from vigil.domain import Advisory

Layout = Literal["zip", "dir", "file"]


@dataclass(frozen=True, slots=True)
class Unchanged:
    """Nothing new upstream; ``fingerprint`` carries refreshed validators when there are any."""

    fingerprint: Fingerprint | None = None


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A local, validated blob ready to parse.

    ``complete`` means it holds the source's whole data set (records missing from it are gone);
    an incremental update is not complete. ``scratch`` is a temporary directory the result owns,
    removed by ``discard`` (or on leaving a ``with`` block).
    """

    path: Path
    layout: Layout
    fingerprint: Fingerprint
    complete: bool
    fetched_at: datetime
    scratch: Path | None = None
    size_hint: int | None = None  # how many records to expect, when cheap to know

    def discard(self) -> None:
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> FetchResult:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.discard()


@dataclass(frozen=True, slots=True)
class ParseFailure:
    """A record that could not be read; ``record_id`` is its id, or its file's name, if known."""

    record_id: str | None
    location: str
    reason: str

    def __str__(self) -> str:
        return f"{self.record_id or '?'} ({self.location}): {self.reason}"

    def to_json(self) -> dict[str, str | None]:
        return {"id": self.record_id, "location": self.location, "reason": self.reason}


EncodedParse = Callable[["FetchResult", int, int], Iterator["EncodedRecord | ParseFailure"]]
"""``parse``, with each record already encoded for the store from the bytes it was read from,
split in disjoint shards (``shard k of n``). A picklable module-level function, so that a large
blob can be parsed by worker processes."""


class AdvisorySource(Protocol):
    """A place advisories come from. Implementations MUST NOT write to the store."""

    @property
    def name(self) -> str:
        """Stable name; the store keys fingerprints and record ownership by it."""
        ...

    def fetch(self, previous: Fingerprint | None) -> FetchResult | Unchanged:
        """Bring the data home and validate it, or answer ``Unchanged``.

        Raises ``SourceError`` when no usable blob could be had; temporary files are removed.
        """
        ...

    def parse(self, fetched: FetchResult) -> Iterator[Advisory | ParseFailure]:
        """Read the records of a blob ``fetch`` returned. May raise ``CorruptArchive``."""
        ...

    def encoded_parse(self) -> EncodedParse | None:
        """The same records as ``parse``, as an ``EncodedParse``; None if the source has none.

        Sources of JSON records offer it so that the stored record is the published bytes.
        """
        ...


class EnrichmentSource(Protocol):
    """A source of CVE-keyed enrichment (NVD, EPSS, KEV): the same seam, other items."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str:
        """Which enrichment it delivers: ``"nvd"``, ``"epss"`` or ``"kev"``."""
        ...

    def fetch(self, previous: Fingerprint | None) -> FetchResult | Unchanged: ...

    def parse(self, fetched: FetchResult) -> Iterator[EnrichmentItem | ParseFailure]: ...
