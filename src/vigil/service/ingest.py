"""Ingest a resource's new inventory: store it, match it, reconcile its findings.

Matching runs first, outside any write transaction (it only reads the advisory store); then one
transaction stores the inventory and its package keys, reconciles the resource's findings with
the suppression rules of its account, applies the delta and records the scan status. Ingesting
the same inventory again changes nothing but ``lastObservedAt``; an inventory older than the
one stored (a delayed or retried job) is ignored, so the newest inventory always wins.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Engine, select, update

from vigil import __version__
from vigil.db.finding_store import ApplyStats, FindingStore
from vigil.db.resources import ResourceStore, StoredInventory, StoredResource
from vigil.db.tables import inventories, resources
from vigil.domain import Inventory, ResourceType
from vigil.sbom import DocumentInfo
from vigil.sbom.vigil_json import encode_vigil_json
from vigil.service.clock import Clock, utcnow
from vigil.service.evaluation import Evaluator, inventory_keys
from vigil.service.reconciling import Evaluated, NewId, apply_observations

# Inspector's reasons for a resource whose content was not understood (ScanStatusReason).
_UNSUPPORTED = {
    ResourceType.AWS_EC2_INSTANCE: "UNSUPPORTED_OS",
    ResourceType.AWS_ECR_CONTAINER_IMAGE: "UNSUPPORTED_MEDIA_TYPE",
    ResourceType.AWS_LAMBDA_FUNCTION: "UNSUPPORTED_RUNTIME",
}


class UnknownResource(LookupError):
    """No resource with this id is registered in the account (register it first)."""


class ResourceRemoved(LookupError):
    """The resource was removed; an inventory for it is not ingested."""


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    resource_pk: int
    stale: bool  # a newer inventory was already stored: nothing written
    findings: int  # vulnerabilities observed
    match_warnings: int
    stats: ApplyStats


def stored_inventory(inventory: Inventory, scanned_at: datetime) -> StoredInventory:
    """The inventory as the store keeps it: its vigil-json document and its package keys."""
    info = DocumentInfo(tool_name="vigil", tool_version=__version__, created=scanned_at)
    document = json.loads(encode_vigil_json(inventory, info))
    return StoredInventory(
        document=document,
        package_count=len(inventory.packages),
        catalogers=dict(inventory.catalogers),
        understood=inventory.understood,
        scanned_at=scanned_at,
        keys=inventory_keys(inventory.packages),
    )


class Ingestor:
    """Stores inventories and keeps the findings of their resources current."""

    def __init__(
        self,
        engine: Engine,
        evaluator: Callable[[], Evaluator],
        *,
        clock: Clock = utcnow,
        new_id: NewId | None = None,
    ) -> None:
        self.engine = engine
        self.evaluator = evaluator
        self.clock = clock
        self.new_id = new_id
        self.resources = ResourceStore(engine, clock=clock)
        self.findings = FindingStore(engine)

    def resource(self, account_id: str, resource_id: str) -> StoredResource:
        found = self.resources.get(account_id, resource_id)
        if found is None:
            raise UnknownResource(f"no resource {resource_id!r} in account {account_id}")
        if found.removed_at is not None:
            raise ResourceRemoved(f"resource {resource_id!r} was removed")
        return found

    def ingest(
        self,
        account_id: str,
        resource_id: str,
        inventory: Inventory,
        *,
        scanned_at: datetime | None = None,
    ) -> IngestOutcome:
        """Store ``inventory`` as the resource's latest and bring its findings up to date."""
        stored = self.resource(account_id, resource_id)
        now = self.clock()
        scanned_at = scanned_at or now
        evaluator = self.evaluator()
        observations, warnings = evaluator.observe(stored.resource, inventory, now)
        record = stored_inventory(inventory, scanned_at)
        # Remembered with the inventory: re-evaluation then reads these few entries only.
        record = replace(record, named=evaluator.named_entries(record.document))
        with self.findings.transaction() as tx:
            connection = tx.connection
            # Lock first (PostgreSQL), then decide: a newer inventory may have landed meanwhile.
            current = tx.load([stored.pk])
            previous = connection.execute(
                select(inventories.c.scanned_at).where(inventories.c.resource_pk == stored.pk)
            ).scalar_one_or_none()
            removed = connection.execute(
                select(resources.c.removed_at).where(resources.c.id == stored.pk)
            ).scalar_one()
            if removed is not None:
                raise ResourceRemoved(f"resource {resource_id!r} was removed")
            if previous is not None and previous > scanned_at:
                return IngestOutcome(stored.pk, True, 0, len(warnings), ApplyStats())
            self.resources.save_inventory(connection, stored.pk, record)
            item = Evaluated(stored.pk, stored.resource, observations)
            stats = apply_observations(tx, [item], now, new_id=self.new_id, current=current)
            code, reason = ("ACTIVE", "SUCCESSFUL")
            if not inventory.understood:
                code, reason = ("INACTIVE", _UNSUPPORTED[stored.resource.resource_type])
            connection.execute(
                update(resources)
                .where(resources.c.id == stored.pk)
                .values(scan_status_code=code, scan_status_reason=reason, updated_at=now)
            )
        return IngestOutcome(stored.pk, False, len(observations), len(warnings), stats)
