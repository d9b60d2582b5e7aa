"""Register, update and remove the resources of an account.

Resources are described by ``resource_shapes`` (host, image, function). Registering is an
upsert on (account, resource id): registering again updates tags and details in place and
brings a removed resource back, with its findings' history intact. Removing a resource marks it
``INACTIVE``/``RESOURCE_TERMINATED`` and closes its open findings (reason ``RESOURCE_REMOVED``)
in one transaction; retention deletes them later (three days, Inspector's rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine

from vigil.db.finding_store import ApplyStats, FindingStore
from vigil.db.resources import ResourceStore, StoredResource
from vigil.domain import Resource
from vigil.service.clock import Clock, utcnow
from vigil.service.ingest import ResourceRemoved, UnknownResource
from vigil.service.reconciling import Evaluated, apply_observations
from vigil.service.resource_shapes import (
    KINDS,
    InvalidResource,
    function,
    host,
    image,
    kind_of,
    with_tags,
)

__all__ = [
    "KINDS",
    "InvalidResource",
    "Removal",
    "ResourceRemoved",
    "ResourceService",
    "UnknownResource",
    "function",
    "host",
    "image",
    "kind_of",
]


@dataclass(frozen=True, slots=True)
class Removal:
    resource_pk: int
    closed: int  # findings closed by the removal


class ResourceService:
    def __init__(self, engine: Engine, *, clock: Clock = utcnow) -> None:
        self.engine = engine
        self.clock = clock
        self.store = ResourceStore(engine, clock=clock)
        self.findings = FindingStore(engine)

    def register(self, resource: Resource) -> int:
        """Create or update the resource; returns its key. Its findings are untouched until
        its next inventory (tags and details reach the findings' documents then)."""
        return self.store.upsert(resource)

    def get(self, account_id: str, resource_id: str) -> StoredResource:
        found = self.store.get(account_id, resource_id)
        if found is None:
            raise UnknownResource(f"no resource {resource_id!r} in account {account_id}")
        return found

    def retag(self, account_id: str, resource_id: str, tags: Mapping[str, str]) -> int:
        """Replace a registered resource's tags."""
        found = self.get(account_id, resource_id)
        if found.removed_at is not None:
            raise ResourceRemoved(f"resource {resource_id!r} was removed")
        return self.store.upsert(with_tags(found.resource, tags))

    def remove(self, account_id: str, resource_id: str) -> Removal:
        """Mark the resource gone and close its open findings, all or nothing.

        Removing an already removed resource changes nothing (its findings are closed).
        """
        found = self.get(account_id, resource_id)
        with self.findings.transaction() as tx:
            stats = ApplyStats()
            if found.removed_at is None:
                self.store.mark_removed(tx.connection, found.pk)
                stats = apply_observations(tx, [Evaluated(found.pk, found.resource)], self.clock())
        return Removal(found.pk, stats.closed)
