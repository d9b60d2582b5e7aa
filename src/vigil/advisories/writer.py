"""One sync batch: a source's records applied to the store in a single transaction.

Why a transaction and not a rebuilt copy renamed into place: a sync usually changes a few hundred
records of a large file, and SQLite's WAL mode already gives what the copy would. Readers keep
seeing the previous state until ``COMMIT``; an exception, a refused batch or a crash before
``COMMIT`` leaves the file exactly as it was (the WAL is rolled back on the next open). Nothing is
written for a record whose content is unchanged, so a re-sent snapshot costs reads only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import NamedTuple

from vigil.advisories import group_index
from vigil.advisories._sql import execute_in, select_in
from vigil.advisories.clock import Clock
from vigil.advisories.codec import EncodedRecord, encode, timestamp
from vigil.advisories.diff import SyncDiff
from vigil.advisories.errors import SyncError
from vigil.advisories.fingerprint import Fingerprint
from vigil.advisories.normalize import PackageKey
from vigil.domain import Advisory

_CHUNK = 500  # records encoded and written together
# Above this many changed records one full recomputation of the groups is cheaper than walking
# every touched component.
_REBUILD_GROUPS_AT = 20_000


class _Existing(NamedTuple):
    rid: int
    digest: bytes
    withdrawn: str | None
    modified: str
    source: str


class SyncBatch:
    """Apply one source's records; ``commit`` returns the diff, leaving without it rolls back.

    ``complete`` says the records are the source's whole data set: records of this source that
    did not appear (and were not reported malformed through ``keep``) are removed. As a guard
    against a truncated upstream export, a complete batch that would remove more than
    ``max_removal`` of the source's records is refused.
    """

    def __init__(
        self,
        conn: sqlite3.Connection,
        source: str,
        *,
        complete: bool,
        clock: Clock,
        max_removal: float = 0.5,
    ) -> None:
        self._conn = conn
        self._source = source
        self._complete = complete
        self._clock = clock
        self._max_removal = max_removal
        self._pending: dict[str, EncodedRecord] = {}
        self._seen: set[str] = set()
        self._classified: dict[str, str] = {}
        self._keys: set[PackageKey] = set()
        self._seeds: set[str] | None = set()  # None once a full group rebuild is due
        self._watermark = ""
        self._open = False
        self._next_rid = 0

    def __enter__(self) -> SyncBatch:
        self._conn.execute("BEGIN IMMEDIATE")
        self._open = True
        self._next_rid = self._conn.execute(
            "SELECT COALESCE(MAX(rid), 0) + 1 FROM records"
        ).fetchone()[0]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._open:
            self._open = False
            self._conn.execute("ROLLBACK")

    def put(self, advisory: Advisory) -> None:
        self.put_encoded(encode(advisory))

    def put_encoded(self, record: EncodedRecord) -> None:
        """Add a record ``codec.encode`` already prepared (in a worker process, say)."""
        self._pending[record.id] = record
        if len(self._pending) >= _CHUNK:
            self._flush()

    def keep(self, record_id: str) -> None:
        """Count a record as present without changing it (it arrived malformed this time)."""
        self._seen.add(record_id)

    def commit(self, fingerprint: Fingerprint | None) -> SyncDiff:
        if not self._open:
            raise SyncError(f"{self._source}: the batch is not open")
        self._flush()
        if self._complete:
            self._remove_absent()
        if self._seeds is None:
            group_index.rebuild(self._conn)
        elif self._seeds:
            group_index.refresh(self._conn, self._seeds)
        self._record_source(fingerprint)
        self._conn.execute("COMMIT")
        self._open = False
        lists: dict[str, list[str]] = {"added": [], "modified": [], "withdrawn": [], "removed": []}
        for record_id, kind in self._classified.items():
            lists[kind].append(record_id)
        return SyncDiff(
            source=self._source,
            added=tuple(sorted(lists["added"])),
            modified=tuple(sorted(lists["modified"])),
            withdrawn=tuple(sorted(lists["withdrawn"])),
            removed=tuple(sorted(lists["removed"])),
            keys=tuple(sorted(self._keys)),
        )

    def _seed(self, *ids: str) -> None:
        if self._seeds is None:
            return
        self._seeds.update(ids)
        if len(self._seeds) > _REBUILD_GROUPS_AT:
            self._seeds = None

    def _existing(self, ids: Sequence[str]) -> dict[str, _Existing]:
        sql = "SELECT id, rid, digest, withdrawn, modified, source FROM records WHERE id IN ({})"
        return {row[0]: _Existing(*row[1:]) for row in select_in(self._conn, sql, ids)}

    def _forget(self, rids: Sequence[int]) -> None:
        """Drop index rows and links of records about to be rewritten or removed."""
        conn = self._conn
        rows = select_in(conn, "SELECT ecosystem, name FROM affected WHERE rid IN ({})", rids)
        self._keys.update(PackageKey(*row) for row in rows)
        targets = select_in(conn, "SELECT target FROM links WHERE rid IN ({})", rids)
        self._seed(*(row[0] for row in targets))
        execute_in(conn, "DELETE FROM affected WHERE rid IN ({})", rids)
        execute_in(conn, "DELETE FROM links WHERE rid IN ({})", rids)

    def _flush(self) -> None:
        pending, self._pending = list(self._pending.values()), {}
        if not pending:
            return
        existing = self._existing([r.id for r in pending])
        inserts, updates, touched = [], [], []
        rows: list[tuple[str, str, str, int, str, int, int, str | bytes]] = []
        links: list[tuple[int, str, str, int]] = []
        for record in pending:
            self._seen.add(record.id)
            self._watermark = max(self._watermark, record.modified)
            old = existing.get(record.id)
            if old is not None and old.digest == record.digest:
                if (old.modified, old.source) != (record.modified, self._source):
                    updates.append((*self._row(record)[1:], old.rid))
                continue
            if old is None:
                rid, self._next_rid = self._next_rid, self._next_rid + 1
                inserts.append((rid, *self._row(record)))
            else:
                rid = old.rid
                touched.append(rid)
                updates.append((*self._row(record)[1:], rid))
            self._classify(record, old)
            self._keys.update(PackageKey(r.ecosystem, r.name) for r in record.rows)
            self._seed(record.id, *(link.target for link in record.links))
            live = int(record.withdrawn is None)
            rows.extend(
                (r.ecosystem, r.name, record.id, r.entry, r.release, rid, live, r.match)
                for r in record.rows
            )
            links.extend((rid, ln.target, ln.kind, int(ln.joins)) for ln in record.links)
        self._forget(touched)
        conn = self._conn
        conn.executemany(
            "INSERT INTO records (rid, id, source, modified, withdrawn, digest, doc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
        conn.executemany(
            "UPDATE records SET source = ?, modified = ?, withdrawn = ?, digest = ?, doc = ? "
            "WHERE rid = ?",
            updates,
        )
        conn.executemany(
            "INSERT INTO affected (ecosystem, name, record_id, idx, release, rid, live, entry) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany("INSERT INTO links (rid, target, kind, joins) VALUES (?, ?, ?, ?)", links)

    def _row(self, record: EncodedRecord) -> tuple[str, str, str, str | None, bytes, bytes]:
        return (
            record.id,
            self._source,
            record.modified,
            record.withdrawn,
            record.digest,
            record.doc,
        )

    def _classify(self, record: EncodedRecord, old: _Existing | None) -> None:
        if record.id in self._classified:  # a repeat within one batch: the first change counts
            return
        if record.withdrawn is not None and (old is None or old.withdrawn is None):
            self._classified[record.id] = "withdrawn"
        elif old is None:
            self._classified[record.id] = "added"
        else:
            self._classified[record.id] = "modified"

    def _remove_absent(self) -> None:
        rows = self._conn.execute(
            "SELECT rid, id FROM records WHERE source = ?", (self._source,)
        ).fetchall()
        gone = [(rid, record_id) for rid, record_id in rows if record_id not in self._seen]
        if not gone:
            return
        if len(gone) > self._max_removal * len(rows):
            raise SyncError(
                f"{self._source}: the snapshot lacks {len(gone)} of the {len(rows)} stored "
                "records; refusing to remove them (a truncated export?)"
            )
        rids = [rid for rid, _ in gone]
        self._forget(rids)
        execute_in(self._conn, "DELETE FROM records WHERE rid IN ({})", rids)
        for _, record_id in gone:
            self._classified[record_id] = "removed"
            self._seed(record_id)

    def _record_source(self, fingerprint: Fingerprint | None) -> None:
        count = self._conn.execute(
            "SELECT count(*) FROM records WHERE source = ?", (self._source,)
        ).fetchone()[0]
        record_source(self._conn, self._source, fingerprint, self._watermark, count, self._clock())


def record_source(
    conn: sqlite3.Connection,
    source: str,
    fingerprint: Fingerprint | None,
    watermark: str,
    count: int,
    now: datetime,
) -> None:
    """Note a committed sync of ``source`` in ``sources`` and the store's build time in ``meta``."""
    stamp = timestamp(now)
    previous = conn.execute("SELECT watermark FROM sources WHERE name = ?", (source,)).fetchone()
    newest = max(watermark, (previous[0] or "") if previous else "") or None
    conn.execute(
        "INSERT INTO sources (name, fingerprint, watermark, synced_at, checked_at, records) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
        "fingerprint = excluded.fingerprint, watermark = excluded.watermark, "
        "synced_at = excluded.synced_at, checked_at = excluded.checked_at, "
        "records = excluded.records",
        (source, fingerprint.to_json() if fingerprint else None, newest, stamp, stamp, count),
    )
    conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('created_at', ?)", (stamp,))
    conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('updated_at', ?)", (stamp,))
