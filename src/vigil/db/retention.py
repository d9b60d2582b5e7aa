"""Deleting closed findings after Inspector's retention periods; their history stays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, delete, insert, or_, select

from vigil.db.engine import write_transaction
from vigil.db.tables import finding_history, findings

# The history row that records a deletion: the finding leaves the store, its history does not.
DELETED = "DELETED"


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long closed findings are kept (Inspector user guide, "Understanding findings"):
    findings closed because their resource went away are deleted after three days, findings
    closed for any other reason after thirty."""

    removed_after: timedelta = timedelta(days=3)
    closed_after: timedelta = timedelta(days=30)


def sweep(
    engine: Engine, now: datetime, policy: RetentionPolicy | None = None, *, batch: int = 5000
) -> int:
    """Delete the closed findings whose retention has run out; returns how many went.

    Works in transactions of ``batch`` findings, so a large sweep never holds the write lock
    for long; each deletion leaves a ``RETENTION`` row in the history.
    """
    policy = policy or RetentionPolicy()
    removed = findings.c.closed_reason == "RESOURCE_REMOVED"
    due = and_(
        findings.c.status == "CLOSED",
        or_(
            and_(removed, findings.c.closed_at <= now - policy.removed_after),
            and_(
                or_(findings.c.closed_reason.is_(None), ~removed),
                findings.c.closed_at <= now - policy.closed_after,
            ),
        ),
    )
    total = 0
    while True:
        with write_transaction(engine) as connection:
            rows = connection.execute(
                select(findings.c.id, findings.c.finding_arn, findings.c.account_id)
                .where(due)
                .order_by(findings.c.id)
                .limit(batch)
            ).all()
            if not rows:
                return total
            connection.execute(
                insert(finding_history),
                [
                    {
                        "finding_id": row.id,
                        "finding_arn": row.finding_arn,
                        "account_id": row.account_id,
                        "at": now,
                        "from_status": "CLOSED",
                        "to_status": DELETED,
                        "reason": "RETENTION",
                    }
                    for row in rows
                ],
            )
            connection.execute(delete(findings).where(findings.c.id.in_([r.id for r in rows])))
            total += len(rows)
