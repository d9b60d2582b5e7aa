"""The advisory store: a separate, versioned SQLite file of OSV records indexed for matching.

Reads are ``lookup``/``lookup_many`` (the candidates for packages), ``get`` (a record by its id
or any of its aliases), ``document`` (a record's published JSON), ``group`` (every id of one
vulnerability), ``group_heads`` (group id and covered CVEs of many records at once) and
``enrichment`` (NVD, EPSS and KEV data of a CVE). Writes go through ``batch`` and
``enrichment_batch``, one transaction per sync (see writer.py for why that keeps a failed sync
harmless).

``lookup`` answers from the index alone and hands back ``Candidate`` values carrying the entry's
packed ranges and versions (all a matcher needs to decide), decoding their advisory only on
first use: validating a record into the domain model costs far more than finding it. Decoded
advisories are kept in a small LRU, since one fleet asks about the same popular packages over
and over.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from types import TracebackType

from vigil.advisories._sql import select_in
from vigil.advisories.candidates import (
    Candidate,
    GroupHead,
    entry_of,
    select_candidates,
    select_group_heads,
)
from vigil.advisories.clock import Clock, utcnow
from vigil.advisories.codec import decode, inflate, parse_timestamp, timestamp
from vigil.advisories.enrichment import Enrichment
from vigil.advisories.enrichment_reader import read_enrichment
from vigil.advisories.enrichment_writer import EnrichmentBatch, Kind
from vigil.advisories.errors import StoreError
from vigil.advisories.fingerprint import Fingerprint
from vigil.advisories.groups import VulnerabilityGroup, is_cve
from vigil.advisories.normalize import normalize_name
from vigil.advisories.schema import SCHEMA_VERSION, connect
from vigil.advisories.writer import SyncBatch
from vigil.domain import Advisory, Affected

__all__ = ["AdvisoryStore", "Candidate", "GroupHead", "SourceState", "StoreInfo"]


@dataclass(frozen=True, slots=True)
class SourceState:
    name: str
    fingerprint: Fingerprint | None
    watermark: str | None  # newest ``modified`` seen from this source
    synced_at: datetime | None
    checked_at: datetime | None
    records: int


@dataclass(frozen=True, slots=True)
class StoreInfo:
    schema_version: int
    created_at: datetime | None
    updated_at: datetime | None
    records: int
    withdrawn: int
    sources: tuple[SourceState, ...]


_MMAP_BYTES = 1 << 31  # SQLite maps no more than the file, nor more than its cap (2 GiB)


class _Lru:
    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[bytes, str], Advisory] = OrderedDict()

    def get(self, key: tuple[bytes, str], make: Callable[[], Advisory]) -> Advisory:
        found = self._items.get(key)
        if found is None:
            found = self._items[key] = make()
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(key)
        return found


class AdvisoryStore:
    """One advisory store file. Not shared between threads; open one per thread or process."""

    def __init__(
        self, path: Path, *, create: bool = True, clock: Clock = utcnow, cache: int = 4096
    ) -> None:
        self.path = path
        self._conn = connect(path, create=create)
        # Read through a memory map: a lookup probes a few index pages per name, and copying
        # each through a read() call was a tenth of a cold match of a large store.
        self._conn.execute(f"PRAGMA mmap_size = {_MMAP_BYTES}")
        self._clock = clock
        self._cache = _Lru(cache)
        self._closed = False

    def close(self) -> None:
        """Fold the WAL back into the file and close it; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.close()

    def __enter__(self) -> AdvisoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def batch(self, source: str, *, complete: bool, max_removal: float = 0.5) -> SyncBatch:
        """A write transaction for one sync of ``source``; use it as a context manager."""
        return SyncBatch(
            self._conn, source, complete=complete, clock=self._clock, max_removal=max_removal
        )

    def enrichment_batch(
        self, source: str, kind: Kind, *, complete: bool, max_removal: float = 0.5
    ) -> EnrichmentBatch:
        """A write transaction for one enrichment sync; use it as a context manager."""
        return EnrichmentBatch(
            self._conn,
            source,
            kind,
            complete=complete,
            clock=self._clock,
            max_removal=max_removal,
        )

    def enrichment(self, cve: str) -> Enrichment:
        """What NVD, EPSS and KEV say about ``cve`` (each part None when they say nothing)."""
        return read_enrichment(self._conn, cve)

    def lookup(
        self, ecosystem: str, name: str, *, include_withdrawn: bool = False
    ) -> list[Candidate]:
        """Candidates for a package, by OSV ecosystem (release optional) and name as written.

        With a release (``Debian:12``) only entries of that release, or of none, are returned;
        without one, entries of every release. Candidates come sorted by record id and index.
        """
        key = normalize_name(ecosystem, name)
        found = self.lookup_many(ecosystem, [name], include_withdrawn=include_withdrawn)
        return found.get(key, [])

    def lookup_many(
        self, ecosystem: str, names: Iterable[str], *, include_withdrawn: bool = False
    ) -> dict[str, list[Candidate]]:
        """``lookup`` for many names of one ecosystem at once, keyed by normalised name.

        One query per few hundred names instead of one per name: most names of an inventory
        have no advisory at all, and for them the query's own overhead was the whole cost.
        Names without candidates are absent from the answer.
        """
        base = ecosystem.partition(":")[0]
        keys = {normalize_name(base, name) for name in names}
        return self.lookup_normalized(ecosystem, keys, include_withdrawn=include_withdrawn)

    def lookup_normalized(
        self,
        ecosystem: str,
        keys: Iterable[str],
        *,
        include_withdrawn: bool = False,
        exact_release: bool = False,
    ) -> dict[str, list[Candidate]]:
        """``lookup_many`` for names already normalised (``normalize.normalize_name``).

        ``exact_release`` leaves out the entries of no release when a release is given: a
        matcher never uses them for a distribution package.
        """
        return select_candidates(
            self._conn,
            ecosystem,
            keys,
            source=self,
            include_withdrawn=include_withdrawn,
            exact_release=exact_release,
        )

    def group_heads(self, record_ids: Iterable[str]) -> dict[str, GroupHead]:
        """For each record id, its group's id and the CVEs the group covers, as ``group`` says.

        The two fields of ``group`` a matcher needs, for many records in a few queries.
        Records the store does not know are absent from the answer.
        """
        return select_group_heads(self._conn, record_ids)

    def get(self, identifier: str) -> Advisory | None:
        """The record with this id; failing that, the record that lists it as an alias.

        Several records can alias one id (a PYSEC and a GHSA for one CVE): the first live one
        by id is returned; ``group`` lists them all.
        """
        row = self._conn.execute(
            "SELECT id, digest, doc, modified FROM records WHERE id = ?", (identifier,)
        ).fetchone()
        if row is None:
            row = self._conn.execute(
                "SELECT r.id, r.digest, r.doc, r.modified FROM links l "
                "JOIN records r ON r.rid = l.rid WHERE l.target = ? AND l.kind != 'related' "
                "ORDER BY r.withdrawn IS NOT NULL, r.id LIMIT 1",
                (identifier,),
            ).fetchone()
        return None if row is None else self._advisory(*row)

    def document(self, record_id: str) -> bytes | None:
        """The record's JSON exactly as it was published (for export, or fields Vigil ignores)."""
        row = self._conn.execute("SELECT doc FROM records WHERE id = ?", (record_id,)).fetchone()
        return None if row is None else inflate(row[0])

    def group(self, identifier: str) -> VulnerabilityGroup | None:
        """Every id that names the same vulnerability as ``identifier``, or None if unknown."""
        conn = self._conn
        row = conn.execute("SELECT group_id FROM groups WHERE member = ?", (identifier,)).fetchone()
        if row is None:
            return None
        group_id = row[0]
        members = sorted(
            m for (m,) in conn.execute("SELECT member FROM groups WHERE group_id = ?", (group_id,))
        )
        records = sorted(
            r for (r,) in select_in(conn, "SELECT id FROM records WHERE id IN ({})", members)
        )
        own = list(
            select_in(
                conn,
                "SELECT l.target, l.kind, l.joins FROM links l JOIN records r ON r.rid = l.rid "
                "WHERE r.id IN ({})",
                records,
            )
        )
        covers = sorted({t for t, kind, joins in own if kind != "related" and not joins})
        related = sorted({t for t, kind, _ in own if kind == "related"} - set(members))
        bundles = select_in(
            conn,
            "SELECT r.id FROM links l JOIN records r ON r.rid = l.rid "
            "WHERE l.joins = 0 AND l.kind != 'related' AND l.target IN ({})",
            members,
        )
        covered_by = sorted({r for (r,) in bundles})
        return VulnerabilityGroup(
            id=group_id,
            members=tuple(members),
            records=tuple(records),
            covers=tuple(c for c in covers if is_cve(c)),
            covered_by=tuple(covered_by),
            related=tuple(related),
        )

    def source_state(self, name: str) -> SourceState | None:
        row = self._conn.execute(
            "SELECT name, fingerprint, watermark, synced_at, checked_at, records "
            "FROM sources WHERE name = ?",
            (name,),
        ).fetchone()
        return None if row is None else _source_state(row)

    def mark_checked(self, name: str, fingerprint: Fingerprint | None = None) -> None:
        """Record that ``name`` was checked and found unchanged (refreshing its fingerprint)."""
        now = timestamp(self._clock())
        self._conn.execute(
            "INSERT INTO sources (name, fingerprint, checked_at) VALUES (?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET checked_at = excluded.checked_at, "
            "fingerprint = COALESCE(excluded.fingerprint, fingerprint)",
            (name, fingerprint.to_json() if fingerprint else None, now),
        )

    def info(self) -> StoreInfo:
        conn = self._conn
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        records, withdrawn = conn.execute(
            "SELECT count(*), count(withdrawn) FROM records"
        ).fetchone()
        sources = conn.execute(
            "SELECT name, fingerprint, watermark, synced_at, checked_at, records "
            "FROM sources ORDER BY name"
        ).fetchall()
        return StoreInfo(
            schema_version=SCHEMA_VERSION,
            created_at=_maybe_time(meta.get("created_at")),
            updated_at=_maybe_time(meta.get("updated_at")),
            records=records,
            withdrawn=withdrawn,
            sources=tuple(_source_state(row) for row in sources),
        )

    def _advisory(self, record_id: str, digest: bytes, doc: bytes, modified: str) -> Advisory:
        # The digest hashes the whole record but ``modified``; together they key the cache.
        return self._cache.get((digest, modified), partial(decode, doc, modified))

    def _load_affected(self, rid: int, index: int) -> Affected:
        row = self._conn.execute("SELECT id, doc FROM records WHERE rid = ?", (rid,)).fetchone()
        if row is None:
            raise LookupError("the advisory was removed after this candidate was looked up")
        try:
            return entry_of(row[1], index)
        except (ValueError, TypeError, KeyError, IndexError, zlib.error) as exc:
            raise StoreError(f"{row[0]}: damaged record ({exc!r:.200})") from None

    def _load_rid(self, rid: int) -> Advisory:
        row = self._conn.execute(
            "SELECT id, digest, doc, modified FROM records WHERE rid = ?", (rid,)
        ).fetchone()
        if row is None:
            raise LookupError("the advisory was removed after this candidate was looked up")
        try:
            return self._advisory(*row)
        except (ValueError, zlib.error) as exc:  # pydantic's and json's errors are ValueErrors
            raise StoreError(f"{row[0]}: damaged record ({exc})") from None


def _maybe_time(text: str | None) -> datetime | None:
    return parse_timestamp(text) if text else None


def _source_state(
    row: tuple[str, str | None, str | None, str | None, str | None, int],
) -> SourceState:
    name, fingerprint, watermark, synced_at, checked_at, records = row
    return SourceState(
        name=name,
        fingerprint=Fingerprint.from_json(fingerprint) if fingerprint else None,
        watermark=watermark,
        synced_at=_maybe_time(synced_at),
        checked_at=_maybe_time(checked_at),
        records=records,
    )
