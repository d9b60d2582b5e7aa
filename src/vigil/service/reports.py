"""Findings reports: CreateFindingsReport, GetFindingsReportStatus, CancelFindingsReport, and
the ``findings-report`` job that writes the file.

A report holds every finding of the requesting account (and of its members, for a delegated
administrator) that matches ``filterCriteria``; as in Inspector, only ACTIVE findings unless
the criteria name ``findingStatus``. The file is ``{keyPrefix}/{reportId}.csv`` or ``.json``
at the destination (see ``report_destinations``); CSV and JSON layouts are in ``report_rows``.
A report that matches no finding ends FAILED with ``NO_FINDINGS_FOUND`` and writes nothing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Collection, Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from vigil.db import finding_query
from vigil.domain.filter_criteria import FilterCriteria
from vigil.jobs import JobQueue, JSONValue
from vigil.service import export_jobs
from vigil.service.api_context import Caller
from vigil.service.clock import Clock
from vigil.service.findings_api import criteria_of
from vigil.service.report_destinations import ObjectWriter, ReportDestinations, object_key
from vigil.service.report_records import REPORTS, NewReportId, ReportRecord, new_report_id
from vigil.service.report_rows import HEADER, csv_row, json_finding
from vigil.service.visibility import accounts_visible_to

KIND = "findings-report"
PAGE = finding_query.MAX_RESULTS
_MEDIA = {"CSV": "text/csv", "JSON": "application/json"}
_ACTIVE_ONLY = [{"comparison": "EQUALS", "value": "ACTIVE"}]


def create_findings_report(
    engine: Engine,
    queue: JobQueue | None,
    caller: Caller,
    params: Mapping[str, Any],
    clock: Clock,
    new_id: NewReportId = new_report_id,
) -> dict[str, Any]:
    # Stored in canonical wire form (times as epoch seconds), refused now rather than in the job.
    wire = criteria_of(params.get("filterCriteria") or {}).to_wire()
    destination = export_jobs.checked_destination(params["s3Destination"], "s3Destination")
    report_id = new_id()
    REPORTS.create(
        engine, report_id, caller.account_id, params["reportFormat"], destination, wire, clock()
    )
    export_jobs.submit(queue, REPORTS, engine, KIND, report_id, clock)
    return {"reportId": report_id}


def get_findings_report_status(
    engine: Engine, caller: Caller, params: Mapping[str, Any]
) -> dict[str, Any]:
    report_id = params.get("reportId")
    if not report_id:
        # The model leaves reportId optional; without one there is no report to describe.
        return {}
    record = export_jobs.visible_record(REPORTS, engine, report_id, {caller.account_id})
    return {
        "reportId": record.report_id,
        "status": record.status,
        "errorCode": record.error_code,
        "errorMessage": record.error_message,
        "destination": record.destination,
        "filterCriteria": record.criteria,
    }


def cancel_findings_report(
    engine: Engine, caller: Caller, params: Mapping[str, Any], clock: Clock
) -> dict[str, Any]:
    report_id = export_jobs.cancel(REPORTS, engine, params["reportId"], {caller.account_id}, clock)
    return {"reportId": report_id}


def report_handler(
    engine: Engine, clock: Clock, destinations: ReportDestinations | None = None
) -> Callable[..., JSONValue]:
    """The ``findings-report`` job handler (``destinations`` None: from the environment)."""
    return export_jobs.ExportRunner(engine, REPORTS, _producer(engine, clock), clock, destinations)


def findings(
    engine: Engine, accounts: Collection[str], criteria: FilterCriteria
) -> Iterator[dict[str, Any]]:
    """Every finding of ``accounts`` matching ``criteria``, page by page in id order."""
    token: str | None = None
    while True:
        with engine.connect() as connection:
            page = finding_query.list_findings(
                connection, accounts, criteria, max_results=PAGE, next_token=token
            )
        for row in page.rows:
            yield row.finding()
        if page.next_token is None:
            return
        token = page.next_token


def _producer(
    engine: Engine, clock: Clock
) -> Callable[[ReportRecord, ObjectWriter, Callable[[], None]], JSONValue]:
    def produce(
        record: ReportRecord, writer: ObjectWriter, checkpoint: Callable[[], None]
    ) -> JSONValue:
        wire = dict(record.criteria)
        wire.setdefault("findingStatus", _ACTIVE_ONLY)
        criteria = criteria_of(wire)
        with engine.connect() as connection:
            accounts = accounts_visible_to(connection, record.account_id)
        now = clock()
        extension = record.format.lower()
        with export_jobs.spool() as body:
            count = _write(
                record.format, findings(engine, accounts, criteria), body, now, checkpoint
            )
            if count == 0:
                raise export_jobs.NothingToExport("no finding matches the report's criteria")
            checkpoint()
            body.seek(0)
            key = object_key(record.destination.get("keyPrefix"), f"{record.report_id}.{extension}")
            where = writer.put(key, body, _MEDIA[record.format])
        return {"findings": count, "object": where}

    return produce


def _write(
    format_name: str,
    rows: Iterator[dict[str, Any]],
    body: Any,
    now: datetime,
    checkpoint: Callable[[], None],
) -> int:
    text = io.TextIOWrapper(body, encoding="utf-8", newline="", write_through=True)
    count = 0
    if format_name == "CSV":
        writer = csv.writer(text)
        writer.writerow(HEADER)
        for count, finding in enumerate(rows, 1):
            writer.writerow(csv_row(finding, now))
            if count % PAGE == 0:
                checkpoint()
    else:
        text.write('{"findings":[')
        for count, finding in enumerate(rows, 1):
            if count > 1:
                text.write(",")
            text.write(json.dumps(json_finding(finding), ensure_ascii=False, sort_keys=True))
            if count % PAGE == 0:
                checkpoint()
        text.write("]}")
    text.flush()
    text.detach()  # leave the spool open for the upload
    return count
