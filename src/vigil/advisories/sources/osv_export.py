"""An OSV ecosystem export over HTTP: ``{base}/{ecosystem}/all.zip`` and its change listing.

The export offers, per ecosystem, ``all.zip`` (every record), ``{id}.json`` (one record) and
``modified_id.csv`` (``<modified>,<id>`` per record, newest first). A sync then goes:

1. First time, or when a full refresh is due (``full_every``): download ``all.zip``
   conditionally (ETag / Last-Modified), validate it, and deliver it as a complete snapshot.
   The listing is fetched *before* the zip, so the watermark taken from it can only be older
   than the zip's content: a record changed in between is fetched again next time, never missed.
2. Otherwise: fetch the listing conditionally (304: unchanged); download only the records whose
   ``modified`` is at or after the watermark (ties are fetched again; re-sending an unchanged
   record costs nothing) and deliver them as an incremental update. Deletions are not listed,
   which is why a full refresh still runs every ``full_every``.

Everything lands in a scratch directory first; nothing is handed on until it has been checked.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from vigil.advisories.clock import Clock, utcnow
from vigil.advisories.codec import timestamp
from vigil.advisories.errors import SourceError
from vigil.advisories.fingerprint import Fingerprint
from vigil.advisories.sources.archive import validate_zip
from vigil.advisories.sources.base import EncodedParse, FetchResult, ParseFailure, Unchanged
from vigil.advisories.sources.http import Downloaded, Downloader, HttpStatusError
from vigil.advisories.sources.osv_records import read_osv, read_osv_encoded
from vigil.domain import Advisory

DEFAULT_BASE_URL = "https://osv-vulnerabilities.storage.googleapis.com"
# Ids become file names and URL path segments: anything else in a listing is skipped.
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+-]{0,127}")


class OsvExportSource:
    """One ecosystem of an OSV export bucket (the public one by default)."""

    def __init__(
        self,
        ecosystem: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        downloader: Downloader | None = None,
        incremental: bool = True,
        max_incremental: int = 5000,
        full_every: timedelta = timedelta(days=7),
        workers: int = 8,
        clock: Clock = utcnow,
    ) -> None:
        self.ecosystem = ecosystem
        self._base = base_url.rstrip("/")
        self._downloader = downloader or Downloader()
        self._incremental = incremental
        self._max_incremental = max_incremental
        self._full_every = full_every
        self._workers = workers
        self._clock = clock

    @property
    def name(self) -> str:
        return f"osv:{self.ecosystem}"

    def url(self, leaf: str) -> str:
        return f"{self._base}/{quote(self.ecosystem, safe='')}/{quote(leaf, safe='')}"

    def fetch(self, previous: Fingerprint | None) -> FetchResult | Unchanged:
        scratch = Path(tempfile.mkdtemp(prefix="vigil-osv-"))
        try:
            outcome = self._fetch(previous or Fingerprint(), scratch)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        if isinstance(outcome, Unchanged):
            shutil.rmtree(scratch, ignore_errors=True)
        return outcome

    def parse(self, fetched: FetchResult) -> Iterator[Advisory | ParseFailure]:
        return read_osv(fetched)

    def encoded_parse(self) -> EncodedParse:
        return read_osv_encoded

    def _fetch(self, previous: Fingerprint, scratch: Path) -> FetchResult | Unchanged:
        now = self._clock()
        watermark = previous.get("watermark")
        full_at = previous.get("full_at")
        full_due = (
            watermark is None
            or full_at is None
            or now - datetime.fromisoformat(full_at) >= self._full_every
        )
        listing: Downloaded | None = None
        entries: list[tuple[datetime, str]] | None = None
        if self._incremental:
            try:
                listing = self._downloader.download(
                    self.url("modified_id.csv"),
                    scratch / "modified_id.csv",
                    etag=None if full_due else previous.get("listing_etag"),
                )
            except HttpStatusError as exc:
                if exc.status != 404:
                    raise
                listing = None  # this export has no listing: full downloads only
            else:
                if listing is None:
                    return Unchanged()
                since = None if full_due or watermark is None else datetime.fromisoformat(watermark)
                entries = read_listing(listing.path, since=since)
        newest = max((when for when, _ in entries), default=None) if entries else None
        new_watermark = timestamp(newest) if newest else watermark
        listing_etag = listing.etag if listing else None
        if entries is not None and not full_due and watermark is not None:
            since = datetime.fromisoformat(watermark)
            changed = sorted({rid for when, rid in entries if when >= since})
            refreshed = previous.replace(listing_etag=listing_etag, watermark=new_watermark)
            if not changed:
                return Unchanged(refreshed)
            if len(changed) <= self._max_incremental:
                folder = scratch / "records"
                folder.mkdir()
                self._download_records(changed, folder)
                return FetchResult(
                    folder, "dir", refreshed, False, now, scratch, size_hint=len(changed)
                )
        return self._fetch_full(previous, scratch, now, listing_etag, new_watermark)

    def _fetch_full(
        self,
        previous: Fingerprint,
        scratch: Path,
        now: datetime,
        listing_etag: str | None,
        watermark: str | None,
    ) -> FetchResult | Unchanged:
        target = scratch / "all.zip"
        got = self._downloader.download(
            self.url("all.zip"),
            target,
            etag=previous.get("etag"),
            last_modified=previous.get("last_modified"),
        )
        if got is None:
            return Unchanged(previous.replace(full_at=timestamp(now)))
        members = validate_zip(target)
        fingerprint = Fingerprint.of(
            etag=got.etag,
            last_modified=got.last_modified,
            listing_etag=listing_etag,
            watermark=watermark,
            full_at=timestamp(now),
        )
        return FetchResult(target, "zip", fingerprint, True, now, scratch, size_hint=members)

    def _download_records(self, ids: list[str], folder: Path) -> None:
        def one(record_id: str) -> None:
            try:
                self._downloader.download(
                    self.url(f"{record_id}.json"), folder / f"{record_id}.json"
                )
            except HttpStatusError as exc:
                if exc.status != 404:  # listed, then deleted upstream: nothing to import
                    raise

        with ThreadPoolExecutor(max_workers=self._workers) as pool:
            for _ in pool.map(one, ids):
                pass


def read_listing(path: Path, *, since: datetime | None = None) -> list[tuple[datetime, str]]:
    """The ``(modified, id)`` rows of a ``modified_id.csv``; a header line is tolerated.

    The export writes the listing newest first, so with ``since`` reading stops at the first
    row older than it: an incremental sync reads a few lines of a file that lists every record.
    An unreadable row makes the listing untrustworthy, so it raises ``SourceError``.
    """
    rows = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            stamp, _, record_id = line.strip().partition(",")
            if not stamp or (number == 1 and not stamp[:1].isdigit()):
                continue
            try:
                when = datetime.fromisoformat(stamp)
            except ValueError:
                raise SourceError(f"{path.name}: line {number}: bad timestamp {stamp!r}") from None
            if when.tzinfo is None:
                continue
            if since is not None and when < since:
                break
            record_id = record_id.strip()
            if _SAFE_ID.fullmatch(record_id):
                rows.append((when, record_id))
    return rows
