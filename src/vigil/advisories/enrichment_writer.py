"""One enrichment sync (NVD, EPSS or KEV) applied in a single transaction, with its diff.

Incoming rows go to a temporary table first; the diff (added, changed, removed CVEs) is then
computed by SQL against the stored table, and only rows that differ are written. An EPSS day
rescoring 300,000 CVEs thus costs set operations, not 300,000 Python comparisons. EPSS and KEV
deliveries are complete snapshots (a CVE missing from them is removed, with the same guard
against truncated files as advisory snapshots); NVD deliveries only ever add and update.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal

from vigil.advisories._sql import execute_in
from vigil.advisories.clock import Clock
from vigil.advisories.codec import timestamp
from vigil.advisories.enrichment import CveRecord, EnrichmentItem, EpssScore, KevEntry
from vigil.advisories.errors import SyncError
from vigil.advisories.fingerprint import Fingerprint
from vigil.advisories.writer import record_source

Kind = Literal["nvd", "epss", "kev"]

_COLUMNS: dict[str, tuple[str, ...]] = {
    "nvd": ("cve", "status", "published", "last_modified", "description", "cwes", "refs"),
    "epss": ("cve", "score", "percentile", "scored_on"),
    "kev": (
        "cve",
        "vendor",
        "product",
        "name",
        "date_added",
        "due_date",
        "required_action",
        "ransomware",
        "notes",
        "cwes",
    ),
    "cvss": ("cve", "version", "scorer", "vector", "base_score", "severity", "is_primary"),
}
_KEYS = {"nvd": "cve", "epss": "cve", "kev": "cve", "cvss": "cve, version, scorer, vector"}
_TYPES: dict[str, type] = {"nvd": CveRecord, "epss": EpssScore, "kev": KevEntry}
# The column that dates a row: the source's watermark is the newest of them.
_STAMP = {"nvd": 3, "epss": 3, "kev": 4}
_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class EnrichmentDiff:
    source: str
    kind: str
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "kind": self.kind,
            "added": list(self.added),
            "changed": list(self.changed),
            "removed": list(self.removed),
        }


def _rows(item: EnrichmentItem) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    if isinstance(item, CveRecord):
        cvss = [
            (s.cve, s.version, s.scorer, s.vector, s.base_score, s.severity, int(s.primary))
            for s in item.cvss
        ]
        published = timestamp(item.published) if item.published else None
        row = (
            item.id,
            item.status,
            published,
            timestamp(item.last_modified),
            item.description,
            json.dumps(list(item.cwes)),
            json.dumps(list(item.references)),
        )
        return row, cvss
    if isinstance(item, EpssScore):
        return (item.cve, item.score, item.percentile, item.scored_on.isoformat()), []
    return (
        item.cve,
        item.vendor,
        item.product,
        item.name,
        item.date_added.isoformat(),
        item.due_date.isoformat() if item.due_date else None,
        item.required_action,
        item.ransomware,
        item.notes,
        json.dumps(list(item.cwes)),
    ), []


class EnrichmentBatch:
    """Apply one source's enrichment items; ``commit`` returns the diff, leaving rolls back."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        source: str,
        kind: Kind,
        *,
        complete: bool,
        clock: Clock,
        max_removal: float = 0.5,
    ) -> None:
        self._conn = conn
        self._source = source
        self._kind = kind
        self._complete = complete and kind != "nvd"
        self._clock = clock
        self._max_removal = max_removal
        self._pending: list[tuple[Any, ...]] = []
        self._pending_cvss: list[tuple[Any, ...]] = []
        self._watermark = ""
        self._kept: set[str] = set()
        self._open = False

    def __enter__(self) -> EnrichmentBatch:
        self._conn.execute("BEGIN IMMEDIATE")
        self._open = True
        for table in self._tables():
            columns = ", ".join(_COLUMNS[table])
            self._conn.execute(f"DROP TABLE IF EXISTS temp.new_{table}")
            self._conn.execute(
                f"CREATE TEMP TABLE new_{table} ({columns}, PRIMARY KEY ({_KEYS[table]}))"
            )
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._open:
            self._open = False
            self._conn.execute("ROLLBACK")  # also drops the temporary tables made inside it

    def put(self, item: EnrichmentItem) -> None:
        if not isinstance(item, _TYPES[self._kind]):
            raise SyncError(f"{self._source}: a {type(item).__name__} in a {self._kind} sync")
        row, cvss = _rows(item)
        self._pending.append(row)
        self._pending_cvss.extend(cvss)
        self._watermark = max(self._watermark, str(row[_STAMP[self._kind]]))
        if len(self._pending) >= _CHUNK:
            self._flush()

    def keep(self, cve: str) -> None:
        """Leave ``cve``'s stored row alone: it arrived malformed this time."""
        self._kept.add(cve)

    def commit(self, fingerprint: Fingerprint | None) -> EnrichmentDiff:
        if not self._open:
            raise SyncError(f"{self._source}: the batch is not open")
        self._flush()
        table = self._kind
        added, changed, removed = self._differences(table)
        if removed and len(removed) > self._max_removal * self._count(table):
            raise SyncError(
                f"{self._source}: the snapshot lacks {len(removed)} of the "
                f"{self._count(table)} stored {table} rows; refusing to remove them"
            )
        conn = self._conn
        execute_in(conn, f"DELETE FROM main.{table} WHERE cve IN ({{}})", removed)
        columns = ", ".join(_COLUMNS[table])
        conn.execute(
            f"INSERT OR REPLACE INTO main.{table} ({columns}) SELECT {columns} FROM new_{table} "
            f"WHERE cve IN (SELECT value FROM json_each(?))",
            (json.dumps([*added, *changed]),),
        )
        if table == "nvd":
            touched = [*added, *changed]
            execute_in(conn, "DELETE FROM main.cvss WHERE cve IN ({})", touched)
            cvss = ", ".join(_COLUMNS["cvss"])
            conn.execute(
                f"INSERT INTO main.cvss ({cvss}) SELECT {cvss} FROM new_cvss "
                "WHERE cve IN (SELECT value FROM json_each(?))",
                (json.dumps(touched),),
            )
        record_source(
            conn, self._source, fingerprint, self._watermark, self._count(table), self._clock()
        )
        conn.execute("COMMIT")
        self._open = False
        return EnrichmentDiff(self._source, table, added, changed, removed)

    def _tables(self) -> tuple[str, ...]:
        return ("nvd", "cvss") if self._kind == "nvd" else (self._kind,)

    def _flush(self) -> None:
        for table, rows in ((self._kind, self._pending), ("cvss", self._pending_cvss)):
            if rows:
                marks = ", ".join("?" * len(_COLUMNS[table]))
                self._conn.executemany(f"INSERT OR REPLACE INTO new_{table} VALUES ({marks})", rows)
        self._pending, self._pending_cvss = [], []

    def _count(self, table: str) -> int:
        return int(self._conn.execute(f"SELECT count(*) FROM main.{table}").fetchone()[0])

    def _differences(self, table: str) -> tuple[tuple[str, ...], ...]:
        conn = self._conn
        rest = _COLUMNS[table][1:]
        new_cols = ", ".join(f"n.{c}" for c in rest)
        old_cols = ", ".join(f"o.{c}" for c in rest)
        added = conn.execute(
            f"SELECT n.cve FROM new_{table} n WHERE NOT EXISTS "
            f"(SELECT 1 FROM main.{table} o WHERE o.cve = n.cve) ORDER BY n.cve"
        ).fetchall()
        changed = conn.execute(
            f"SELECT n.cve FROM new_{table} n JOIN main.{table} o ON o.cve = n.cve "
            f"WHERE ({new_cols}) IS NOT ({old_cols}) ORDER BY n.cve"
        ).fetchall()
        removed = (
            conn.execute(
                f"SELECT o.cve FROM main.{table} o WHERE NOT EXISTS "
                f"(SELECT 1 FROM new_{table} n WHERE n.cve = o.cve) ORDER BY o.cve"
            ).fetchall()
            if self._complete
            else []
        )
        return (
            tuple(r[0] for r in added),
            tuple(r[0] for r in changed),
            tuple(r[0] for r in removed if r[0] not in self._kept),
        )
