"""What findings reports and SBOM exports share: requests turned into a status row plus a job,
and the job's run from that row to a written file and a final status.

A job is ``{"reportId": ...}``; everything else is read from the row, so a job re-run after a
crash (delivery is at least once) writes the same objects under the same keys again. A
cancelled row stops its job at the next check, before anything more is written. A failure a
retry cannot fix (no such bucket, a malformed KMS key, nothing to export) ends the row FAILED
with Inspector's error code at once; any other failure is retried by the job backend and ends
the row FAILED with ``INTERNAL_ERROR`` when the last attempt fails.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import IO, Any

from sqlalchemy import Engine

from vigil.jobs import Interrupted, JobContext, JobQueue, JSONValue, PermanentError
from vigil.service import report_records as records
from vigil.service.clock import Clock
from vigil.service.report_destinations import (
    DestinationError,
    InvalidKeyPrefix,
    ObjectWriter,
    ReportDestinations,
    split_prefix,
)
from vigil.service.report_records import RecordTable, ReportRecord
from vigil.service.request_errors import InvalidParameter, NotFound

# Exports spill to disk past this size rather than holding a whole report in memory.
SPOOL_BYTES = 8 << 20


class NothingToExport(Exception):
    """No finding (or resource) matched the request's criteria."""


class Cancelled(Exception):
    """The row was cancelled while its job ran."""


def spool() -> IO[bytes]:
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)


def checked_destination(destination: Mapping[str, Any], field: str) -> dict[str, Any]:
    """The destination as stored; a key prefix that could climb out of a bucket is refused."""
    try:
        split_prefix(destination.get("keyPrefix"))
    except InvalidKeyPrefix as exc:
        raise InvalidParameter(f"{field}.keyPrefix", str(exc)) from None
    return {k: v for k, v in destination.items() if v is not None}


def submit(
    queue: JobQueue | None,
    table: RecordTable,
    engine: Engine,
    kind: str,
    report_id: str,
    clock: Clock,
) -> None:
    """Queue the row's job; a row whose job cannot be queued fails at once, never hangs."""
    try:
        if queue is None:
            raise RuntimeError("this server runs no job queue")
        queue.submit(kind, {"reportId": report_id}, key=f"{kind}:{report_id}")
    except Exception:
        table.finish(
            engine,
            report_id,
            records.FAILED,
            clock(),
            error_code=records.INTERNAL_ERROR,
            error_message="the export could not be queued",
        )
        raise


def cancel(
    table: RecordTable, engine: Engine, report_id: str, accounts: Collection[str], clock: Clock
) -> str:
    record = table.visible(engine, report_id, accounts)
    if record is None:
        raise NotFound(f"no report {report_id}")
    if record.status == records.CANCELLED:
        return report_id
    if not table.finish(engine, report_id, records.CANCELLED, clock()):
        current = table.get(engine, report_id)
        status = current.status if current else "gone"
        if status != records.CANCELLED:
            raise InvalidParameter("reportId", f"report {report_id} already ended {status}")
    return report_id


def visible_record(
    table: RecordTable, engine: Engine, report_id: str, accounts: Collection[str]
) -> ReportRecord:
    record = table.visible(engine, report_id, accounts)
    if record is None:
        raise NotFound(f"no report {report_id}")
    return record


Producer = Callable[[ReportRecord, ObjectWriter, Callable[[], None]], JSONValue]


@dataclass
class ExportRunner:
    """Runs one kind of export job: ``produce`` writes the files, this class keeps the row."""

    engine: Engine
    table: RecordTable
    produce: Producer
    clock: Clock
    destinations: ReportDestinations | None = None  # None: read from the environment per run

    def __call__(self, ctx: JobContext) -> JSONValue:
        report_id = ctx.payload.get("reportId")
        if not isinstance(report_id, str):
            raise PermanentError("an export job needs a reportId string")
        record = self.table.get(self.engine, report_id)
        if record is None:
            raise PermanentError(f"no report {report_id}")
        if record.status != records.IN_PROGRESS:
            return {"skipped": record.status}

        def checkpoint() -> None:
            if ctx.cancelled():
                raise Interrupted()
            if not self.table.still_running(self.engine, report_id):
                raise Cancelled()

        try:
            destinations = self.destinations or ReportDestinations.from_environment()
            written = self.produce(record, destinations.writer(record.destination), checkpoint)
        except Cancelled:
            return {"skipped": records.CANCELLED}
        except DestinationError as exc:
            return self._fail(report_id, exc.code, exc.message)
        except InvalidKeyPrefix as exc:
            return self._fail(report_id, records.INVALID_PERMISSIONS, str(exc))
        except NothingToExport as exc:
            return self._fail(report_id, records.NO_FINDINGS_FOUND, str(exc))
        except Interrupted:
            raise
        except Exception as exc:
            if ctx.attempt >= ctx.max_attempts:
                self._fail(report_id, records.INTERNAL_ERROR, f"export failed: {exc}")
            raise
        if not self.table.finish(self.engine, report_id, records.SUCCEEDED, self.clock()):
            return {"skipped": records.CANCELLED}
        return written

    def _fail(self, report_id: str, code: str, message: str) -> JSONValue:
        self.table.finish(
            self.engine,
            report_id,
            records.FAILED,
            self.clock(),
            error_code=code,
            error_message=message,
        )
        return {"failed": code, "message": message}
