"""Vigil's own endpoints as service calls: take an inventory or SBOM upload for a resource, say
how its ingest job is doing, list an account's resources.

An upload registers (or updates) its resource at once and queues an ``ingest-inventory`` job;
the caller polls the job. The account is the caller's own; an ``admin`` key of a delegated
administrator may name one of its members. A job or resource outside the caller's accounts is
answered exactly as an unknown one, so ids of other accounts cannot be probed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from vigil.db.resources import ResourceStore
from vigil.db.tables import inventories, resources
from vigil.jobs import InvalidJob, JobId, JobInfo, JobNotFound, JobQueue
from vigil.jobs.model import MAX_PAYLOAD_BYTES
from vigil.service.api_context import Caller
from vigil.service.clock import Clock, utcnow
from vigil.service.ingest import stored_inventory
from vigil.service.job_handlers import INGEST, SCAN, submit_inventory
from vigil.service.upload_request import InvalidUpload, build_resource, parse_upload
from vigil.service.visibility import visible_accounts

UPLOAD_ROLES = frozenset({"admin", "analyst", "agent"})
_ACCOUNT = re.compile(r"\d{12}")
_VISIBLE_KINDS = frozenset({INGEST, SCAN})
DEFAULT_PAGE = 100
MAX_PAGE = 1000
# The job payload wraps the inventory with the resource's names and a time: leave room for them.
MAX_INVENTORY_BYTES = MAX_PAYLOAD_BYTES - 8192

__all__ = [
    "UPLOAD_ROLES",
    "InvalidUpload",
    "UploadDenied",
    "UploadNotFound",
    "UploadService",
    "UploadTooLarge",
]


class UploadDenied(PermissionError):
    """The caller's key may not do this (its role, or an account it does not govern)."""


class UploadNotFound(LookupError):
    """No such job or resource among the caller's accounts."""


class UploadTooLarge(ValueError):
    """The inventory is too large for one ingest job."""


class UploadService:
    def __init__(self, engine: Engine, queue: JobQueue, *, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.queue = queue
        self.clock = clock
        self.resources = ResourceStore(engine, clock=clock)

    def upload(
        self, caller: Caller, region: str, query: Sequence[tuple[str, str]], body: bytes
    ) -> dict[str, Any]:
        """Register the upload's resource and queue its ingest; the job's id and the resource."""
        if caller.role not in UPLOAD_ROLES:
            raise UploadDenied(f"the {caller.role} role may not upload inventories")
        upload = parse_upload(query, body)
        account = self._account(caller, upload.account_id)
        resource = build_resource(account, upload.resource, region, {})
        existing = self.resources.get(account, resource.resource_id)
        if "tags" not in upload.resource and existing is not None:
            resource = build_resource(account, upload.resource, region, existing.resource.tags)
        scanned_at = upload.scanned_at or self.clock()
        # Sized before the resource is written, so that a refused upload leaves nothing behind.
        document = stored_inventory(upload.inventory, scanned_at).document
        size = len(json.dumps(document, separators=(",", ":")).encode())
        if size > MAX_INVENTORY_BYTES:
            raise UploadTooLarge(
                f"an inventory of {len(upload.inventory.packages)} packages takes {size} bytes; "
                f"one ingest job carries at most {MAX_INVENTORY_BYTES}"
            )
        self.resources.upsert(resource)
        job_id = submit_inventory(
            self.queue, account, resource.resource_id, upload.inventory, scanned_at
        )
        return {
            "jobId": job_id,
            "accountId": account,
            "resourceId": resource.resource_id,
            "resourceType": resource.resource_type.value,
            "packageCount": len(upload.inventory.packages),
            "understood": upload.inventory.understood,
            "warnings": len(upload.inventory.warnings),
        }

    def job(self, caller: Caller, job_id: str) -> dict[str, Any]:
        """What an ingest or scan job of the caller's accounts is doing (never its payload)."""
        try:
            info = self.queue.get(JobId(job_id))
        except (JobNotFound, InvalidJob):
            raise UploadNotFound(f"no job {job_id}") from None
        account = info.payload.get("accountId")
        if info.kind not in _VISIBLE_KINDS or account not in self._visible(caller):
            raise UploadNotFound(f"no job {job_id}")
        return _job_view(info)

    def list_resources(
        self,
        caller: Caller,
        account_id: str | None,
        max_results: int | None,
        next_token: str | None,
    ) -> dict[str, Any]:
        """One page of the resources of the caller's accounts (or of one of them)."""
        visible = self._visible(caller)
        if account_id is not None:
            if account_id not in visible:
                raise UploadDenied(f"account {account_id} is not governed by {caller.account_id}")
            visible = frozenset({account_id})
        size = DEFAULT_PAGE if max_results is None else max_results
        if not 1 <= size <= MAX_PAGE:
            raise InvalidUpload(f"maxResults: between 1 and {MAX_PAGE}")
        after = _token(next_token)
        query = (
            select(resources, inventories.c.package_count)
            .select_from(resources.outerjoin(inventories))
            .where(resources.c.account_id.in_(sorted(visible)), resources.c.id > after)
            .order_by(resources.c.id)
            .limit(size + 1)
        )
        with self.engine.connect() as connection:
            rows = [row._mapping for row in connection.execute(query)]
        page = rows[:size]
        return {
            "resources": [_resource_view(row) for row in page],
            "nextToken": str(page[-1]["id"]) if len(rows) > size else None,
        }

    def _account(self, caller: Caller, named: str | None) -> str:
        if named is None or named == caller.account_id:
            return caller.account_id
        if not _ACCOUNT.fullmatch(named):
            raise InvalidUpload("accountId: an account id is 12 digits")
        if caller.role != "admin" or named not in self._visible(caller):
            raise UploadDenied(
                f"only an admin key of account {named}'s delegated administrator may name it"
            )
        return named

    def _visible(self, caller: Caller) -> frozenset[str]:
        return visible_accounts(self.engine, caller)


def _token(text: str | None) -> int:
    if text is None:
        return 0
    if not text.isdigit() or len(text) > 19:
        raise InvalidUpload("nextToken: not a token this listing issued")
    return int(text)


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _job_view(info: JobInfo) -> dict[str, Any]:
    view: dict[str, Any] = {
        "jobId": info.id,
        "kind": info.kind,
        "status": info.status.value,
        "accountId": info.payload.get("accountId"),
        "resourceId": info.payload.get("resourceId"),
        "attempts": info.attempts,
        "maxAttempts": info.max_attempts,
        "createdAt": _iso(info.created_at),
        "startedAt": _iso(info.started_at),
        "finishedAt": _iso(info.finished_at),
        "result": info.result,
    }
    if info.error:
        # The stored error ends with the exception's message; the frames before it name files
        # of the server, which a client has no business reading.
        view["error"] = info.error.strip().splitlines()[-1]
    return view


def _resource_view(row: Any) -> dict[str, Any]:
    return {
        "accountId": row["account_id"],
        "resourceId": row["resource_id"],
        "resourceType": row["resource_type"],
        "region": row["region"],
        "tags": row["tags"] or {},
        "scanStatus": {"statusCode": row["scan_status_code"], "reason": row["scan_status_reason"]},
        "packageCount": row["package_count"],
        "lastScannedAt": _iso(row["last_scanned_at"]),
        "removedAt": _iso(row["removed_at"]),
    }
