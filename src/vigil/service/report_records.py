"""The status rows of findings reports and SBOM exports (the ``reports`` and ``sbom_exports``
tables), shared by both kinds of export.

A row is created IN_PROGRESS before its job is queued and leaves that state exactly once: the
job's outcome and a cancellation are both conditional updates ``WHERE status = 'IN_PROGRESS'``,
so whichever commits first wins and the other sees that it lost. A row belongs to the account
that asked for it; every other account is told it does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Table, insert, select, update

from vigil.db.tables import reports, sbom_exports

IN_PROGRESS = "IN_PROGRESS"
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"
CANCELLED = "CANCELLED"

# ReportingErrorCode values (botocore's inspector2 model).
INTERNAL_ERROR = "INTERNAL_ERROR"
INVALID_PERMISSIONS = "INVALID_PERMISSIONS"
NO_FINDINGS_FOUND = "NO_FINDINGS_FOUND"
BUCKET_NOT_FOUND = "BUCKET_NOT_FOUND"
INCOMPATIBLE_BUCKET_REGION = "INCOMPATIBLE_BUCKET_REGION"
MALFORMED_KMS_KEY = "MALFORMED_KMS_KEY"

MAX_ERROR_MESSAGE = 1024

NewReportId = Callable[[], str]


def new_report_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True, slots=True)
class ReportRecord:
    report_id: str
    account_id: str
    format: str
    status: str
    error_code: str | None
    error_message: str | None
    destination: dict[str, Any]
    criteria: dict[str, Any]
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class RecordTable:
    """One of the two status tables; ``criteria`` names the column that holds its filter."""

    table: Table
    criteria: str

    def create(
        self,
        engine: Engine,
        report_id: str,
        account_id: str,
        format_name: str,
        destination: dict[str, Any],
        criteria: dict[str, Any],
        now: datetime,
    ) -> None:
        with engine.begin() as connection:
            connection.execute(
                insert(self.table).values(
                    report_id=report_id,
                    account_id=account_id,
                    format=format_name,
                    status=IN_PROGRESS,
                    destination=destination,
                    **{self.criteria: criteria},
                    created_at=now,
                    updated_at=now,
                )
            )

    def get(self, engine: Engine, report_id: str) -> ReportRecord | None:
        c = self.table.c
        with engine.connect() as connection:
            row = connection.execute(select(self.table).where(c.report_id == report_id)).first()
        if row is None:
            return None
        return ReportRecord(
            report_id=row.report_id,
            account_id=row.account_id,
            format=row.format,
            status=row.status,
            error_code=row.error_code,
            error_message=row.error_message,
            destination=dict(row.destination),
            criteria=dict(getattr(row, self.criteria)),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    def visible(
        self, engine: Engine, report_id: str, accounts: Collection[str]
    ) -> ReportRecord | None:
        """The row when it belongs to one of ``accounts``; None otherwise, foreign or missing."""
        record = self.get(engine, report_id)
        if record is None or record.account_id not in accounts:
            return None
        return record

    def finish(
        self,
        engine: Engine,
        report_id: str,
        status: str,
        now: datetime,
        *,
        error_code: str | None = None,
        error_message: str | None = None,
    ) -> bool:
        """Leave IN_PROGRESS for ``status``; False when the row had already left it."""
        c = self.table.c
        message = None if error_message is None else error_message[:MAX_ERROR_MESSAGE]
        with engine.begin() as connection:
            done = connection.execute(
                update(self.table)
                .where(c.report_id == report_id, c.status == IN_PROGRESS)
                .values(status=status, error_code=error_code, error_message=message, updated_at=now)
            )
        return done.rowcount == 1

    def still_running(self, engine: Engine, report_id: str) -> bool:
        c = self.table.c
        with engine.connect() as connection:
            status = connection.execute(
                select(c.status).where(c.report_id == report_id)
            ).scalar_one_or_none()
        return status == IN_PROGRESS


REPORTS = RecordTable(reports, "filter_criteria")
SBOM_EXPORTS = RecordTable(sbom_exports, "resource_filter_criteria")
