"""SBOM exports: CreateSbomExport, GetSbomExport, CancelSbomExport, and the ``sbom-export``
job that writes one SBOM per resource from its stored inventory.

The resources are those of the requesting account (and of its members, for a delegated
administrator) that hold an inventory, are not removed, and match ``resourceFilterCriteria``.
Each becomes ``{keyPrefix}/{reportId}/{accountId}/{name}.cdx.json`` (CycloneDX 1.4) or
``.spdx.json`` (SPDX 2.3), where ``name`` is the resource id with characters other than
letters, digits, ``.``, ``_`` and ``-`` replaced by ``_`` plus the first 12 hex digits of the
id's SHA-256, so distinct ids never share a file. CycloneDX documents carry Inspector's
``accountId`` and ``resourceType`` metadata properties (and ``imageId`` for images).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

from sqlalchemy import Engine, select

from vigil.db.tables import inventories, resources
from vigil.jobs import JobQueue, JSONValue
from vigil.service import export_jobs
from vigil.service.api_context import Caller
from vigil.service.clock import Clock
from vigil.service.evaluation import load_inventory
from vigil.service.report_destinations import ObjectWriter, ReportDestinations, object_key
from vigil.service.report_records import SBOM_EXPORTS, NewReportId, ReportRecord, new_report_id
from vigil.service.resource_criteria import ResourceCriteria, parse_resource_criteria
from vigil.service.sbom import render_sbom
from vigil.service.visibility import accounts_visible_to

KIND = "sbom-export"
FORMATS = {
    "CYCLONEDX_1_4": ("cyclonedx-json@1.4", ".cdx.json", "application/vnd.cyclonedx+json"),
    "SPDX_2_3": ("spdx-json", ".spdx.json", "application/spdx+json"),
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_BATCH = 200


def create_sbom_export(
    engine: Engine,
    queue: JobQueue | None,
    caller: Caller,
    params: Mapping[str, Any],
    clock: Clock,
    new_id: NewReportId = new_report_id,
) -> dict[str, Any]:
    wire = params.get("resourceFilterCriteria") or {}
    parse_resource_criteria(wire)
    destination = export_jobs.checked_destination(params["s3Destination"], "s3Destination")
    report_id = new_id()
    SBOM_EXPORTS.create(
        engine, report_id, caller.account_id, params["reportFormat"], destination, wire, clock()
    )
    export_jobs.submit(queue, SBOM_EXPORTS, engine, KIND, report_id, clock)
    return {"reportId": report_id}


def get_sbom_export(engine: Engine, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    record = export_jobs.visible_record(
        SBOM_EXPORTS, engine, params["reportId"], {caller.account_id}
    )
    return {
        "reportId": record.report_id,
        "format": record.format,
        "status": record.status,
        "errorCode": record.error_code,
        "errorMessage": record.error_message,
        "s3Destination": record.destination,
        "filterCriteria": record.criteria,
    }


def cancel_sbom_export(
    engine: Engine, caller: Caller, params: Mapping[str, Any], clock: Clock
) -> dict[str, Any]:
    report_id = params["reportId"]
    return {
        "reportId": export_jobs.cancel(SBOM_EXPORTS, engine, report_id, {caller.account_id}, clock)
    }


def sbom_export_handler(
    engine: Engine, clock: Clock, destinations: ReportDestinations | None = None
) -> Callable[..., JSONValue]:
    """The ``sbom-export`` job handler (``destinations`` None: from the environment)."""
    return export_jobs.ExportRunner(
        engine, SBOM_EXPORTS, _producer(engine, clock), clock, destinations
    )


def file_name(resource_id: str) -> str:
    digest = hashlib.sha256(resource_id.encode()).hexdigest()[:12]
    readable = _UNSAFE.sub("_", resource_id).strip("._")[:100]
    return f"{readable}-{digest}" if readable else digest


def selected(
    engine: Engine, accounts: Collection[str], criteria: ResourceCriteria
) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(resource row, inventory document) of every matching resource, in id order."""
    last = 0
    query = (
        select(resources, inventories.c.document)
        .join(inventories, inventories.c.resource_pk == resources.c.id)
        .where(resources.c.account_id.in_(sorted(accounts)), resources.c.removed_at.is_(None))
        .order_by(resources.c.id)
        .limit(_BATCH)
    )
    while True:
        with engine.connect() as connection:
            rows = connection.execute(query.where(resources.c.id > last)).mappings().all()
        for row in rows:
            resource = dict(row)
            if criteria.matches(resource):
                yield resource, dict(resource.pop("document"))
        if len(rows) < _BATCH:
            return
        last = rows[-1]["id"]


def _producer(
    engine: Engine, clock: Clock
) -> Callable[[ReportRecord, ObjectWriter, Callable[[], None]], JSONValue]:
    def produce(
        record: ReportRecord, writer: ObjectWriter, checkpoint: Callable[[], None]
    ) -> JSONValue:
        criteria = parse_resource_criteria(record.criteria)
        format_name, extension, media = FORMATS[record.format]
        with engine.connect() as connection:
            accounts = accounts_visible_to(connection, record.account_id)
        prefix = record.destination.get("keyPrefix")
        written: list[JSONValue] = []
        for resource, document in selected(engine, accounts, criteria):
            checkpoint()
            data = render_sbom(load_inventory(document), format_name, created=clock())
            if record.format == "CYCLONEDX_1_4":
                data = _with_inspector_properties(data, resource)
            name = f"{record.report_id}/{resource['account_id']}/"
            key = object_key(prefix, name + file_name(resource["resource_id"]) + extension)
            with export_jobs.spool() as body:
                body.write(data)
                body.seek(0)
                written.append(writer.put(key, body, media))
        if not written:
            raise export_jobs.NothingToExport("no resource with an inventory matches")
        return {"resources": len(written), "objects": written}

    return produce


def _with_inspector_properties(data: bytes, resource: Mapping[str, Any]) -> bytes:
    document = json.loads(data)
    metadata = document.setdefault("metadata", {})
    properties = metadata.setdefault("properties", [])
    details = resource.get("details") or {}
    image = details.get("awsEcrContainerImage") if isinstance(details, dict) else None
    if isinstance(image, dict) and image.get("imageHash"):
        properties.append({"name": "imageId", "value": str(image["imageHash"])})
    properties.append({"name": "accountId", "value": resource["account_id"]})
    properties.append({"name": "resourceType", "value": resource["resource_type"]})
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
