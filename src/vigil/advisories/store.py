"""The advisory store: a separate, versioned SQLite file of OSV records indexed for matching.

Reads are ``lookup`` (the candidates for one package), ``get`` (a record by its id or any of its
aliases), ``document`` (a record's published JSON), ``group`` (every id of one vulnerability) and
``enrichment`` (NVD, EPSS and KEV data of a CVE). Writes go through ``batch`` and
``enrichment_batch``, one transaction per sync (see writer.py for why that keeps a failed sync
harmless).

``lookup`` answers from the index alone and hands back ``Candidate`` values that decode their
advisory on first use: validating a record into the domain model costs far more than finding it,
and a matcher may drop candidates on cheap fields first. Decoded advisories are kept in a small
LRU, since one fleet asks about the same popular packages over and over.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from operator import itemgetter
from pathlib import Path
from types import TracebackType
from typing import NamedTuple

from vigil.advisories._sql import select_in
from vigil.advisories.clock import Clock, utcnow
from vigil.advisories.codec import decode, inflate, parse_timestamp, timestamp
from vigil.advisories.enrichment import Enrichment
from vigil.advisories.enrichment_reader import read_enrichment
from vigil.advisories.enrichment_writer import EnrichmentBatch, Kind
from vigil.advisories.fingerprint import Fingerprint
from vigil.advisories.groups import VulnerabilityGroup, is_cve
from vigil.advisories.normalize import ecosystem_base, normalize_name
from vigil.advisories.schema import SCHEMA_VERSION, connect
from vigil.advisories.writer import SyncBatch
from vigil.domain import Advisory, Affected


class Candidate(NamedTuple):
    """An advisory whose ``affected[affected_index]`` names the looked-up package.

    A tuple, because a popular package has hundreds of candidates and building them is most of
    a lookup's cost; ``load`` decodes the advisory (through the store's cache).
    """

    record_id: str
    affected_index: int
    ecosystem: str  # the entry's own ecosystem, release included ("Debian:12")
    load: Callable[[], Advisory]

    @property
    def advisory(self) -> Advisory:
        return self.load()

    @property
    def affected(self) -> Affected:
        return self.load().affected[self.affected_index]


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


_BY_RECORD = itemgetter(0, 1)  # record_id, affected_index


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
        base, _, release = ecosystem.partition(":")
        sql = "SELECT record_id, idx, release, rid FROM affected WHERE ecosystem = ? AND name = ?"
        params: list[str] = [ecosystem_base(base), normalize_name(base, name)]
        if release:
            sql += " AND release IN (?, '')"
            params.append(release)
        if not include_withdrawn:
            sql += " AND live = 1"
        load, new = self._load_rid, tuple.__new__
        spelled: dict[str, str] = {}  # one string per release, not one per row
        out = []
        for record_id, idx, entry_release, rid in self._conn.execute(sql, params):
            entry_ecosystem = spelled.get(entry_release)
            if entry_ecosystem is None:
                entry_ecosystem = f"{base}:{entry_release}" if entry_release else base
                spelled[entry_release] = entry_ecosystem
            out.append(new(Candidate, (record_id, idx, entry_ecosystem, partial(load, rid))))
        out.sort(key=_BY_RECORD)
        return out

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

    def _load_rid(self, rid: int) -> Advisory:
        row = self._conn.execute(
            "SELECT id, digest, doc, modified FROM records WHERE rid = ?", (rid,)
        ).fetchone()
        if row is None:
            raise LookupError("the advisory was removed after this candidate was looked up")
        return self._advisory(*row)


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
