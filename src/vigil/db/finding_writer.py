"""Writing a batch of reconcile deltas with a handful of bulk statements."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, bindparam, delete, insert, select, text, update

from vigil.db.finding_columns import finding_columns, package_rows
from vigil.db.tables import (
    finding_history,
    finding_packages,
    finding_suppressions,
    findings,
    resources,
)
from vigil.db.types import stored_document
from vigil.domain.finding_delta import Delta, NewFinding, Seen
from vigil.domain.finding_state import FindingStatus

_CHUNK = 500  # ids per IN list
_NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('findings', 'id')) FROM generate_series(1, :n)"
)


@dataclass(slots=True)
class ApplyStats:
    """What one apply wrote, by kind."""

    created: int = 0
    updated: int = 0
    observed: int = 0
    closed: int = 0
    reopened: int = 0
    history: int = 0


class Owner(NamedTuple):
    """What a finding row copies from its resource (the caller may know it already)."""

    account_id: str
    resource_id: str
    resource_type: str


def chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _update_by_id(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """One executemany UPDATE for rows that all set the same columns."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != "id"]
    statement = (
        update(findings)
        .where(findings.c.id == bindparam("p_id"))
        .values({name: bindparam(f"p_{name}", type_=findings.c[name].type) for name in columns})
    )
    connection.execute(statement, [{f"p_{k}": v for k, v in row.items()} for row in rows])


class FindingWriter:
    """Applies the deltas of one batch; every delta was computed from the state it replaces."""

    def __init__(
        self,
        connection: Connection,
        deltas: Sequence[Delta],
        owners: Mapping[int, Owner] | None = None,
    ) -> None:
        if len({d.resource_pk for d in deltas}) != len(deltas):
            raise ValueError("one delta per resource in a batch: each is computed from one state")
        self.c = connection
        self.deltas = deltas
        self.stats = ApplyStats()
        self.known_owners = owners or {}
        # (resource_pk, vulnerability id) -> (finding id, finding ARN), for history rows.
        self.ident: dict[tuple[int, str], tuple[int, str]] = {}
        self.packages_stale: list[int] = []
        self.packages_new: list[dict[str, Any]] = []
        self.rules_stale: list[int] = []
        self.rules_new: list[dict[str, int]] = []

    def write(self) -> ApplyStats:
        owners = self._owners()
        self._close()
        self._observe()
        self._create(owners)
        for chunk in chunks(self.packages_stale):
            self.c.execute(delete(finding_packages).where(finding_packages.c.finding_id.in_(chunk)))
        if self.packages_new:
            self.c.execute(insert(finding_packages), self.packages_new)
        for chunk in chunks(self.rules_stale):
            self.c.execute(
                delete(finding_suppressions).where(finding_suppressions.c.finding_id.in_(chunk))
            )
        if self.rules_new:
            self.c.execute(insert(finding_suppressions), self.rules_new)
        self._history(owners)
        return self.stats

    def _owners(self) -> dict[int, Any]:
        wanted = {d.resource_pk for d in self.deltas if d.created or d.history}
        owners: dict[int, Any] = {
            pk: self.known_owners[pk] for pk in wanted & self.known_owners.keys()
        }
        pks = sorted(wanted - owners.keys())
        for chunk in chunks(pks):
            query = select(
                resources.c.id,
                resources.c.account_id,
                resources.c.resource_id,
                resources.c.resource_type,
            ).where(resources.c.id.in_(chunk))
            owners.update((row.id, row) for row in self.c.execute(query))
        missing = wanted - owners.keys()
        if missing:
            raise LookupError(f"no such resources: {sorted(missing)}")
        return owners

    def _close(self) -> None:
        rows = []
        for delta in self.deltas:
            for closure in delta.closed:
                self.ident[(delta.resource_pk, closure.vulnerability_id)] = (
                    closure.finding_id,
                    closure.finding_arn,
                )
                rows.append(
                    {
                        "id": closure.finding_id,
                        "status": FindingStatus.CLOSED.value,
                        "closed_at": delta.at,
                        "closed_reason": closure.reason.value,
                        "updated_at": delta.at,
                    }
                )
        _update_by_id(self.c, rows)
        self.stats.closed = len(rows)

    def _observe(self) -> None:
        documents: list[dict[str, Any]] = []
        statuses: list[dict[str, Any]] = []
        bumps: dict[datetime, list[int]] = defaultdict(list)
        for delta in self.deltas:
            self.stats.reopened += len(delta.reopened)
            for seen in delta.seen:
                self.ident[(delta.resource_pk, seen.vulnerability_id)] = (
                    seen.finding_id,
                    seen.finding_arn,
                )
                if seen.suppression_changed:
                    self._replace_rules(seen.finding_id, seen.suppressed_by)
                if seen.document_changed:
                    documents.append(self._document_row(seen, delta.at))
                    self.packages_stale.append(seen.finding_id)
                    self.packages_new.extend(package_rows(seen.finding_id, seen.document))
                elif seen.changed:
                    statuses.append(self._status_row(seen, delta.at))
                else:
                    bumps[delta.at].append(seen.finding_id)
        _update_by_id(self.c, documents)
        _update_by_id(self.c, statuses)
        for at, ids in bumps.items():
            for chunk in chunks(ids):
                self.c.execute(
                    update(findings).where(findings.c.id.in_(chunk)).values(last_observed_at=at)
                )
        self.stats.updated = len(documents) + len(statuses)
        self.stats.observed = sum(len(ids) for ids in bumps.values())

    def _status_row(self, seen: Seen, at: datetime) -> dict[str, Any]:
        return {
            "id": seen.finding_id,
            "status": seen.status.value,
            "last_observed_at": at,
            "updated_at": at,
            "closed_at": None,
            "closed_reason": None,
        }

    def _document_row(self, seen: Seen, at: datetime) -> dict[str, Any]:
        return {
            **self._status_row(seen, at),
            **finding_columns(seen.vulnerability_id, seen.document),
            "document": stored_document(seen.document),
            "document_hash": seen.document_hash,
        }

    def _create(self, owners: dict[int, Any]) -> None:
        inserts: list[tuple[int, datetime, NewFinding]] = []
        renewals: list[dict[str, Any]] = []
        for delta in self.deltas:
            for new in delta.created:
                if new.renews is None:
                    inserts.append((delta.resource_pk, delta.at, new))
                    continue
                renewals.append(
                    {
                        "id": new.renews,
                        "finding_arn": new.finding_arn,
                        **self._new_columns(new, delta.at),
                    }
                )
                self._adopt(delta.resource_pk, new.renews, new)
                self.packages_stale.append(new.renews)
                self.rules_stale.append(new.renews)
        _update_by_id(self.c, renewals)
        if inserts:
            rows = []
            for pk, at, new in inserts:
                owner = owners[pk]
                rows.append(
                    {
                        "finding_arn": new.finding_arn,
                        "account_id": owner.account_id,
                        "resource_pk": pk,
                        "resource_id": owner.resource_id,
                        "resource_type": owner.resource_type,
                        "vulnerability_id": new.vulnerability_id,
                        **self._new_columns(new, at),
                    }
                )
            for (pk, _, new), finding_id in zip(inserts, self._insert(rows), strict=True):
                self._adopt(pk, finding_id, new)
        self.stats.created = len(inserts) + len(renewals)

    def _insert(self, rows: list[dict[str, Any]]) -> list[int]:
        """Insert new findings; their ids in the order of ``rows``."""
        if self.c.dialect.name == "postgresql":
            # Ids drawn from the sequence first, so the rows go as one pipelined executemany
            # of a short statement. With RETURNING, SQLAlchemy sends one statement of thousands
            # of parameters per page instead, and psycopg spent most of a batch re-parsing it.
            drawn = self.c.execute(_NEXT_IDS, {"n": len(rows)}).scalars().all()
            for row, finding_id in zip(rows, drawn, strict=True):
                row["id"] = finding_id
            self.c.execute(insert(findings), rows)
            return list(drawn)
        # Unordered RETURNING keyed by the unique (resource, vulnerability): ordered RETURNING
        # would make SQLite insert one row per statement.
        returned = self.c.execute(
            insert(findings).returning(
                findings.c.id, findings.c.resource_pk, findings.c.vulnerability_id
            ),
            rows,
        )
        ids = {(r.resource_pk, r.vulnerability_id): r.id for r in returned}
        return [ids[(row["resource_pk"], row["vulnerability_id"])] for row in rows]

    def _new_columns(self, new: NewFinding, at: datetime) -> dict[str, Any]:
        return {
            **finding_columns(new.vulnerability_id, new.document),
            "status": new.status.value,
            "first_observed_at": at,
            "last_observed_at": at,
            "updated_at": at,
            "closed_at": None,
            "closed_reason": None,
            "document": stored_document(new.document),
            "document_hash": new.document_hash,
        }

    def _adopt(self, pk: int, finding_id: int, new: NewFinding) -> None:
        self.ident[(pk, new.vulnerability_id)] = (finding_id, new.finding_arn)
        self.packages_new.extend(package_rows(finding_id, new.document))
        self.rules_new.extend({"finding_id": finding_id, "filter_id": f} for f in new.suppressed_by)

    def _replace_rules(self, finding_id: int, rules: frozenset[int]) -> None:
        self.rules_stale.append(finding_id)
        self.rules_new.extend({"finding_id": finding_id, "filter_id": f} for f in rules)

    def _history(self, owners: dict[int, Any]) -> None:
        rows = []
        for delta in self.deltas:
            for t in delta.history:
                finding_id, arn = self.ident[(delta.resource_pk, t.vulnerability_id)]
                rows.append(
                    {
                        "finding_id": finding_id,
                        "finding_arn": arn,
                        "account_id": owners[delta.resource_pk].account_id,
                        "at": delta.at,
                        "from_status": t.from_status.value if t.from_status else None,
                        "to_status": t.to_status.value,
                        "reason": t.reason.value,
                    }
                )
        if rows:
            self.c.execute(insert(finding_history), rows)
        self.stats.history = len(rows)
