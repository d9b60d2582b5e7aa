"""The finding store: applies reconcile deltas in bulk, one transaction per batch.

A batch of resources is loaded with one query (plus one for suppressions) and written with a
handful of bulk statements whatever its size (``finding_writer``); nothing of a finding's history
is ever deleted here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Engine, and_, select

from vigil.db.engine import write_transaction
from vigil.db.finding_writer import ApplyStats, FindingWriter, Owner, chunks
from vigil.db.retention import RetentionPolicy, sweep
from vigil.db.tables import finding_suppressions, findings, resources
from vigil.domain.finding_delta import Delta
from vigil.domain.finding_state import FindingStatus, StatusReason, StoredFinding

__all__ = ["ApplyStats", "FindingStore", "FindingTransaction", "Owner"]


class FindingTransaction:
    """Loading and applying inside one write transaction (``FindingStore.transaction``)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load(
        self,
        resource_pks: Iterable[int],
        *,
        lock: bool = True,
        vulnerability_ids: Collection[str] | None = None,
    ) -> dict[int, list[StoredFinding]]:
        """Every stored finding of the resources, with the rules suppressing each.

        ``vulnerability_ids`` loads only those findings (for a reconcile with that ``scope``).

        With ``lock`` on PostgreSQL the resource rows are locked first, so two workers
        reconciling the same resource take turns instead of both deciding from the same state
        (on SQLite the write transaction already excludes other writers).
        """
        pks = sorted(set(resource_pks))
        current: dict[int, list[StoredFinding]] = {pk: [] for pk in pks}
        if lock and self.connection.dialect.name == "postgresql":
            for chunk in chunks(pks):
                self.connection.execute(
                    select(resources.c.id)
                    .where(resources.c.id.in_(chunk))
                    .order_by(resources.c.id)
                    .with_for_update()
                ).all()
        vids = None if vulnerability_ids is None else sorted(set(vulnerability_ids))
        for chunk in chunks(pks):
            for vid_chunk in [None] if vids is None else chunks(vids):
                where: ColumnElement[bool] = findings.c.resource_pk.in_(chunk)
                if vid_chunk is not None:
                    where = and_(where, findings.c.vulnerability_id.in_(vid_chunk))
                self._load_into(current, where)
        return current

    def _load_into(
        self, current: dict[int, list[StoredFinding]], where: ColumnElement[bool]
    ) -> None:
        rules: dict[int, set[int]] = defaultdict(set)
        suppression_rows = self.connection.execute(
            select(finding_suppressions.c.finding_id, finding_suppressions.c.filter_id)
            .join(findings, findings.c.id == finding_suppressions.c.finding_id)
            .where(where)
        )
        for finding_id, filter_id in suppression_rows:
            rules[finding_id].add(filter_id)
        rows = self.connection.execute(
            select(
                findings.c.id,
                findings.c.resource_pk,
                findings.c.finding_arn,
                findings.c.vulnerability_id,
                findings.c.status,
                findings.c.first_observed_at,
                findings.c.last_observed_at,
                findings.c.updated_at,
                findings.c.document_hash,
                findings.c.closed_at,
                findings.c.closed_reason,
            ).where(where)
        )
        for r in rows:
            current[r.resource_pk].append(
                StoredFinding(
                    r.id,
                    r.finding_arn,
                    r.vulnerability_id,
                    FindingStatus(r.status),
                    r.first_observed_at,
                    r.last_observed_at,
                    r.updated_at,
                    r.document_hash,
                    r.closed_at,
                    StatusReason(r.closed_reason) if r.closed_reason else None,
                    frozenset(rules.get(r.id, ())),
                )
            )

    def apply(
        self, deltas: Sequence[Delta], owners: Mapping[int, Owner] | None = None
    ) -> ApplyStats:
        """Write the deltas (each computed from the state ``load`` returned). ``owners`` are
        the resources' account, id and type when the caller has them (else they are read)."""
        return FindingWriter(self.connection, deltas, owners).write()


class FindingStore:
    """Stateful findings in the service database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @contextmanager
    def transaction(self) -> Iterator[FindingTransaction]:
        """Load, reconcile and apply in one write transaction (the safe way to reconcile)."""
        with write_transaction(self._engine) as connection:
            yield FindingTransaction(connection)

    def current(
        self, resource_pks: Iterable[int], vulnerability_ids: Collection[str] | None = None
    ) -> dict[int, list[StoredFinding]]:
        with self._engine.connect() as connection:
            return FindingTransaction(connection).load(
                resource_pks, lock=False, vulnerability_ids=vulnerability_ids
            )

    def apply_many(self, deltas: Sequence[Delta]) -> ApplyStats:
        """Apply the deltas of many resources in one transaction: all of them or none."""
        with self.transaction() as tx:
            return tx.apply(deltas)

    def sweep(self, now: datetime, policy: RetentionPolicy | None = None) -> int:
        """Delete closed findings past retention (history kept); see ``retention.sweep``."""
        return sweep(self._engine, now, policy)
