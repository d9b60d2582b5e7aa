"""Re-evaluation: re-match stored inventories after the advisories changed.

After a sync, the diff's (ecosystem, name) keys select the resources whose inventory holds one
of them (``inventory_keys``), and the vulnerabilities its records are reported under
(``diff_scope``) are the only findings reconciled in them; an enrichment diff (NVD, EPSS, KEV)
selects the resources with an open finding of a changed CVE, scoped to those CVEs; a new catalog
or matcher version re-evaluates everything, unscoped. Other resources and findings are not
touched: they keep their ``updatedAt`` and ``lastObservedAt``.

Resources are handled in batches. For each batch the inventories are read and matched outside
any write transaction, with one ``Evaluator`` for the whole run (one advisory snapshot: its
verdict memo makes the packages a fleet shares nearly free); then one transaction locks the
batch, skips any resource whose inventory changed or that was removed meanwhile (the ingest that
changed it evaluated it already), reconciles the rest and writes them with bulk statements.
The writing happens in a second thread, so that the next batch is matched meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from time import perf_counter
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Row, Text, cast, select, tuple_

from vigil.advisories.store import AdvisoryStore
from vigil.db.finding_store import ApplyStats, FindingStore
from vigil.db.resources import NamedEntries, ResourceStore, remember_named
from vigil.db.tables import findings, inventories, inventory_keys, resources
from vigil.domain import Package, Resource, ResourceType
from vigil.service.clock import Clock, utcnow
from vigil.service.evaluation import Evaluator, named_packages_of
from vigil.service.package_cache import NamedPackages
from vigil.service.reconciling import Evaluated, NewId, apply_observations, merge

_Remembered = tuple[int, datetime, NamedEntries]
_Decoded = tuple[frozenset[tuple[str, str]], tuple[Package, ...]]
_DECODED = 10_000  # distinct stored named-entry sets decoded in one run

DEFAULT_BATCH = 500
_IN = 500  # bound parameters per IN list


@dataclass(slots=True)
class ReevaluationReport:
    selected: int = 0  # resources the trigger selected
    evaluated: int = 0  # resources re-matched and written
    skipped: int = 0  # changed or removed while this ran: left to whoever changed them
    stats: ApplyStats = field(default_factory=ApplyStats)
    seconds: float = 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "selected": self.selected,
            "evaluated": self.evaluated,
            "skipped": self.skipped,
            "created": self.stats.created,
            "updated": self.stats.updated,
            "closed": self.stats.closed,
            "reopened": self.stats.reopened,
            "seconds": round(self.seconds, 3),
        }


def diff_scope(store: AdvisoryStore, record_ids: Iterable[str]) -> frozenset[str] | None:
    """Every vulnerability id the changed records may have been reported under, or None when
    that cannot be known (a record gone from the store took its old names with it).

    A record's findings are named by its group (the CVE where there is one) or, for a bundle
    advisory, by each CVE it covers; a change may also merge or split groups, so every name and
    record of the groups involved is included.
    """
    ids = sorted(set(record_ids))
    scope = set(ids)
    heads = store.group_heads(ids)
    for record_id in ids:
        head = heads.get(record_id)
        if head is None:
            return None
        scope.update(head.covers or (head.id,))
        for name in (head.id, *head.covers):
            group = store.group(name)
            if group is not None:
                scope.update(group.members, group.records, group.covers)
    return frozenset(scope)


def _chunks(values: Sequence[int], size: int) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_RESOURCE_COLUMNS = (
    "account_id",
    "resource_id",
    "resource_type",
    "region",
    "partition",
    "tags",
    "details",
    "target",
)


def _resource(row: Row[Any]) -> Resource:
    r = row._mapping
    return Resource(
        account_id=r["account_id"],
        resource_id=r["resource_id"],
        resource_type=ResourceType(r["resource_type"]),
        region=r["region"],
        partition=r["partition"],
        tags=r["tags"],
        details=r["details"],
        target=r["target"],
    )


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A batch read and matched, waiting to be written."""

    pks: Sequence[int]
    now: datetime
    items: list[Evaluated]
    seen_at: dict[int, Any]  # inventory scanned_at per resource, as matched
    remember: list[_Remembered]  # named entries read from documents, to store


class Reevaluator:
    """Re-matches selected resources against one advisory snapshot (``evaluator``)."""

    def __init__(
        self,
        engine: Engine,
        evaluator: Evaluator,
        *,
        clock: Clock = utcnow,
        batch: int = DEFAULT_BATCH,
        new_id: NewId | None = None,
        cache: NamedPackages | None = None,
    ) -> None:
        if batch < 1:
            raise ValueError("a batch holds at least one resource")
        self.engine = engine
        self.evaluator = evaluator
        self.clock = clock
        self.batch = batch
        self.new_id = new_id
        self.cache = cache if cache is not None else NamedPackages()
        self.findings = FindingStore(engine)
        self._decoded: dict[tuple[str, str], _Decoded] = {}

    # -- selection ----------------------------------------------------------------------------

    def holding(self, keys: Iterable[tuple[str, str]]) -> list[int]:
        """Resources whose latest inventory holds one of the (ecosystem, name) keys."""
        return sorted(ResourceStore(self.engine, clock=self.clock).holding(keys))

    def with_vulnerabilities(self, vulnerability_ids: Iterable[str]) -> list[int]:
        """Resources with an open finding of one of the vulnerabilities."""
        wanted = sorted(set(vulnerability_ids))
        found: set[int] = set()
        with self.engine.connect() as connection:
            for start in range(0, len(wanted), _IN):
                query = (
                    select(findings.c.resource_pk)
                    .distinct()
                    .where(
                        findings.c.vulnerability_id.in_(wanted[start : start + _IN]),
                        findings.c.status != "CLOSED",
                    )
                )
                found.update(connection.execute(query).scalars())
        return sorted(found)

    def everything(self) -> list[int]:
        """Every resource with an inventory that was not removed."""
        query = (
            select(resources.c.id)
            .join(inventories, inventories.c.resource_pk == resources.c.id)
            .where(resources.c.removed_at.is_(None))
            .order_by(resources.c.id)
        )
        with self.engine.connect() as connection:
            return list(connection.execute(query).scalars())

    # -- evaluation ---------------------------------------------------------------------------

    def run(
        self,
        resource_pks: Iterable[int],
        scope: Collection[str] | None = None,
        keys: Iterable[tuple[str, str]] = (),
        *,
        reread: bool = False,
    ) -> ReevaluationReport:
        """Re-match the resources. With ``scope`` only findings of those vulnerability ids are
        reconciled (loaded, created, closed, observed); the others keep every column. ``keys``
        are the package keys the advisories changed (a resource holding one that became named
        has its inventory read again rather than taken from the cache). ``reread`` reads every
        inventory document again, for when what "named" means may have changed (a new build)."""
        started = perf_counter()
        pks = sorted(set(resource_pks))
        report = ReevaluationReport(selected=len(pks))
        frozen = None if scope is None else frozenset(scope)
        named = self.evaluator.relevance.named(keys)
        # Batch k+1 is read and matched here while batch k is written by one writer thread:
        # the database works (its own process, or sqlite3 without the GIL) while Python
        # matches. The evaluator stays in this thread; at most one write is in flight.
        writing: Future[ApplyStats] | None = None
        with ThreadPoolExecutor(1, thread_name_prefix="vigil-reevaluate-write") as writer:
            for chunk in _chunks(pks, self.batch):
                prepared = self._prepare(chunk, frozen, named, reread)
                if writing is not None:
                    merge(report.stats, writing.result())
                writing = writer.submit(self._write, prepared, report, frozen)
            if writing is not None:
                merge(report.stats, writing.result())
        report.seconds = perf_counter() - started
        return report

    def _prepare(
        self,
        pks: Sequence[int],
        scope: frozenset[str] | None,
        named: frozenset[tuple[str, str]],
        reread: bool,
    ) -> _Prepared:
        """Read and match one batch, outside any transaction."""
        now = self.clock()
        with self.engine.connect() as connection:
            rows = self._inventories(connection, pks)
            packages, seen_at, remember = self._packages(connection, rows, named, reread)
        items = []
        for row in rows:
            if row.id in packages:
                resource = _resource(row)
                observations = self.evaluator.observe_packages(
                    resource, packages[row.id], now, scope
                )
                items.append(Evaluated(row.id, resource, observations))
        return _Prepared(pks, now, items, seen_at, remember)

    def _write(
        self, batch: _Prepared, report: ReevaluationReport, scope: frozenset[str] | None
    ) -> ApplyStats:
        """Lock the batch and write what changed, skipping resources that moved meanwhile."""
        with self.findings.transaction() as tx:
            current = tx.load(batch.seen_at, vulnerability_ids=scope)
            fresh = {
                row.id: row.scanned_at
                for row in self._inventories(tx.connection, batch.pks, light=True)
            }
            kept = [i for i in batch.items if fresh.get(i.pk) == batch.seen_at[i.pk]]
            stats = apply_observations(
                tx, kept, batch.now, new_id=self.new_id, current=current, scope=scope
            )
            remember_named(tx.connection, batch.remember)
        # Counted by the one writer thread, after its commit; read by the caller at the end.
        report.evaluated += len(kept)
        report.skipped += len(batch.pks) - len(kept)
        return stats

    def _packages(
        self,
        connection: Connection,
        rows: Sequence[Row[Any]],
        named: frozenset[tuple[str, str]],
        reread: bool,
    ) -> tuple[dict[int, tuple[Package, ...]], dict[int, Any], list[_Remembered]]:
        """Each resource's named packages, and the ``scanned_at`` of the inventory they come from.

        From the cache; failing that from the entries remembered with the inventory; failing
        that (or with ``reread``) from the stored document, whose named entries are then
        returned to be remembered. Cached or remembered entries do not answer for a resource
        holding a key of ``named`` that they lack (the diff made it named since).
        """
        held = self._held(connection, [row.id for row in rows], named) if named else {}
        found: dict[int, tuple[Package, ...]] = {}
        seen_at: dict[int, Any] = {}
        misses = []
        for row in rows:
            cached = None
            if not reread:
                cached = self.cache.get(row.id, row.scanned_at, held.get(row.id, frozenset()))
            if cached is None:
                misses.append(row.id)
            else:
                found[row.id], seen_at[row.id] = cached, row.scanned_at
        if not reread:
            for pk, scanned_at, (keys, packages) in self._remembered(connection, misses):
                if held.get(pk, frozenset()) <= keys:
                    self._found(found, seen_at, pk, scanned_at, tuple(keys), packages)
        remember: list[_Remembered] = []
        for chunk in _chunks([pk for pk in misses if pk not in found], _IN):
            query = select(
                inventories.c.resource_pk, inventories.c.document, inventories.c.scanned_at
            ).where(inventories.c.resource_pk.in_(chunk))
            for pk, document, scanned_at in connection.execute(query):
                entries = self.evaluator.named_entries(document)
                packages = named_packages_of(entries)
                self._found(found, seen_at, pk, scanned_at, entries.keys, packages)
                remember.append((pk, scanned_at, entries))
        return found, seen_at, remember

    def _found(
        self,
        found: dict[int, tuple[Package, ...]],
        seen_at: dict[int, Any],
        pk: int,
        scanned_at: Any,
        keys: Sequence[tuple[str, str]],
        packages: tuple[Package, ...],
    ) -> None:
        self.cache.put(pk, scanned_at, keys, packages)
        found[pk], seen_at[pk] = packages, scanned_at

    def _remembered(
        self, connection: Connection, pks: Sequence[int]
    ) -> Iterator[tuple[int, Any, _Decoded]]:
        """The named entries stored with the inventories, where known.

        Read as text and decoded once per distinct text: a fleet repeats the same few sets."""
        for chunk in _chunks(pks, _IN):
            query = select(
                inventories.c.resource_pk,
                inventories.c.scanned_at,
                cast(inventories.c.named_keys, Text),
                cast(inventories.c.named_packages, Text),
            ).where(inventories.c.resource_pk.in_(chunk), inventories.c.named_keys.is_not(None))
            for pk, scanned_at, keys, packages in connection.execute(query):
                decoded = self._decoded.get((keys, packages))
                if decoded is None:
                    # A JSON null is "not known" too: the document answers.
                    entries = NamedEntries.from_columns(
                        json.loads(keys or "null"), json.loads(packages or "null")
                    )
                    if entries is None:
                        continue
                    decoded = (frozenset(entries.keys), named_packages_of(entries))
                    if len(self._decoded) >= _DECODED:
                        self._decoded.clear()
                    self._decoded[(keys, packages)] = decoded
                yield pk, scanned_at, decoded

    @staticmethod
    def _held(
        connection: Connection, pks: Sequence[int], keys: frozenset[tuple[str, str]]
    ) -> dict[int, frozenset[tuple[str, str]]]:
        """Which of ``keys`` each resource holds."""
        held: dict[int, set[tuple[str, str]]] = {}
        wanted = sorted(keys)
        for start in range(0, len(wanted), _IN):
            query = select(
                inventory_keys.c.resource_pk, inventory_keys.c.ecosystem, inventory_keys.c.name
            ).where(
                inventory_keys.c.resource_pk.in_(pks),
                tuple_(inventory_keys.c.ecosystem, inventory_keys.c.name).in_(
                    wanted[start : start + _IN]
                ),
            )
            for pk, ecosystem, name in connection.execute(query):
                held.setdefault(pk, set()).add((ecosystem, name))
        return {pk: frozenset(found) for pk, found in held.items()}

    @staticmethod
    def _inventories(
        connection: Connection, pks: Sequence[int], *, light: bool = False
    ) -> list[Row[Any]]:
        columns: list[ColumnElement[Any]] = [resources.c.id, inventories.c.scanned_at]
        if not light:
            columns += [resources.c[name] for name in _RESOURCE_COLUMNS]
        query = (
            select(*columns)
            .join(inventories, inventories.c.resource_pk == resources.c.id)
            .where(resources.c.id.in_(pks), resources.c.removed_at.is_(None))
        )
        return list(connection.execute(query))
