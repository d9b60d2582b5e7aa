"""Resources, their latest inventory, and which resources hold which package keys."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    RowMapping,
    bindparam,
    delete,
    insert,
    null,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from vigil.db.engine import write_transaction
from vigil.db.tables import inventories, inventory_keys, resources
from vigil.domain.resource import Resource, ResourceType

Clock = Callable[[], datetime]
_CHUNK = 500  # bound parameters per IN list, well under SQLite's limit


@dataclass(frozen=True, slots=True)
class StoredInventory:
    """The latest inventory of a resource as stored: the vigil-json document and its index keys.

    ``keys`` are (ecosystem, normalised name) pairs, normalised by the caller the way the
    advisory index normalises them, so an advisory diff finds the resources holding a package.
    """

    document: Mapping[str, Any] = field(hash=False)
    package_count: int
    catalogers: Mapping[str, str] = field(hash=False)
    understood: bool
    scanned_at: datetime
    keys: frozenset[tuple[str, str]] = frozenset()
    named: NamedEntries | None = field(default=None, hash=False)


@dataclass(frozen=True, slots=True)
class NamedEntries:
    """The entries of an inventory document that some advisory named, and their index keys
    (what re-evaluation matches; the others cannot match)."""

    keys: tuple[tuple[str, str], ...]
    packages: tuple[Mapping[str, Any], ...] = field(hash=False)

    @classmethod
    def from_columns(cls, keys: Any, packages: Any) -> NamedEntries | None:
        """The stored ``named_keys``/``named_packages`` columns, or None while not known."""
        if keys is None or packages is None:
            return None
        return cls(tuple((str(e), str(n)) for e, n in keys), tuple(packages))

    def columns(self) -> tuple[list[list[str]], list[dict[str, Any]]]:
        """The values of the ``named_keys`` and ``named_packages`` columns."""
        return [list(k) for k in self.keys], [dict(p) for p in self.packages]


def remember_named(
    connection: Connection, found: Sequence[tuple[int, datetime, NamedEntries]]
) -> None:
    """Store the named entries of inventories, each only if it is still the one they came from
    (``scanned_at``): a newer inventory brought its own."""
    if not found:
        return
    statement = (
        update(inventories)
        .where(
            inventories.c.resource_pk == bindparam("p_pk"),
            inventories.c.scanned_at == bindparam("p_scanned_at"),
        )
        .values(named_keys=bindparam("p_keys"), named_packages=bindparam("p_packages"))
    )
    rows = []
    for pk, scanned_at, named in found:
        keys, packages = named.columns()
        rows.append(
            {"p_pk": pk, "p_scanned_at": scanned_at, "p_keys": keys, "p_packages": packages}
        )
    connection.execute(statement, rows)


@dataclass(frozen=True, slots=True)
class StoredResource:
    pk: int
    resource: Resource
    scan_status_code: str
    scan_status_reason: str
    created_at: datetime
    updated_at: datetime
    last_scanned_at: datetime | None
    removed_at: datetime | None


def _bounded(value: Any, limit: int, what: str) -> str | None:
    if value is None:
        return None
    text = str(value)
    if len(text) > limit:
        raise ValueError(f"{what} is longer than {limit} characters")
    return text


def _columns(resource: Resource) -> dict[str, Any]:
    """The resource's own columns and the details copied into columns for filters."""
    details = resource.details
    ecr = details.get("awsEcrContainerImage") or {}
    ec2 = details.get("awsEc2Instance") or {}
    fn = details.get("awsLambdaFunction") or {}
    return {
        "account_id": resource.account_id,
        "resource_id": _bounded(resource.resource_id, 1024, "resource id"),
        "resource_type": resource.resource_type.value,
        "region": _bounded(resource.region, 32, "region"),
        "partition": _bounded(resource.partition, 16, "partition"),
        "tags": dict(resource.tags),
        "details": dict(details),
        "target": _bounded(resource.target, 2048, "target"),
        "ecr_repository_name": _bounded(ecr.get("repositoryName"), 256, "repository name"),
        "ecr_image_tags": list(ecr["imageTags"]) if ecr.get("imageTags") else None,
        "ec2_instance_image_id": _bounded(ec2.get("imageId"), 64, "image id"),
        "ec2_instance_vpc_id": _bounded(ec2.get("vpcId"), 64, "VPC id"),
        "ec2_instance_subnet_id": _bounded(ec2.get("subnetId"), 64, "subnet id"),
        "lambda_function_name": _bounded(fn.get("functionName"), 256, "function name"),
        "lambda_function_runtime": _bounded(fn.get("runtime"), 64, "runtime"),
        "lambda_function_layers": list(fn["layers"]) if fn.get("layers") else None,
        "lambda_function_execution_role_arn": _bounded(
            fn.get("executionRoleArn"), 2048, "execution role"
        ),
    }


class ResourceStore:
    """Resources keyed by (account, resource id), and their latest inventories."""

    def __init__(self, engine: Engine, *, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock

    def upsert(self, resource: Resource) -> int:
        """Insert or update a resource (a removed one comes back); returns its key."""
        with write_transaction(self._engine) as connection:
            return self.upsert_in(connection, resource)

    def upsert_in(self, connection: Connection, resource: Resource) -> int:
        now = self._clock()
        values = _columns(resource)
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(resources).values(
            **values,
            scan_status_code="ACTIVE",
            scan_status_reason="PENDING_INITIAL_SCAN",
            created_at=now,
            updated_at=now,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[resources.c.account_id, resources.c.resource_id],
            set_={**values, "updated_at": now, "removed_at": None},
        )
        pk = connection.execute(statement.returning(resources.c.id)).scalar_one()
        return int(pk)

    def get(self, account_id: str, resource_id: str) -> StoredResource | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(resources).where(
                    resources.c.account_id == account_id, resources.c.resource_id == resource_id
                )
            ).one_or_none()
        return None if row is None else _stored(row._mapping)

    def by_pk(self, pks: Sequence[int]) -> dict[int, StoredResource]:
        found: dict[int, StoredResource] = {}
        with self._engine.connect() as connection:
            for start in range(0, len(pks), _CHUNK):
                chunk = pks[start : start + _CHUNK]
                rows = connection.execute(select(resources).where(resources.c.id.in_(chunk)))
                found.update((row.id, _stored(row._mapping)) for row in rows)
        return found

    def set_scan_status(self, pk: int, code: str, reason: str, *, scanned: bool = False) -> None:
        now = self._clock()
        values: dict[str, Any] = {"scan_status_code": code, "scan_status_reason": reason}
        if scanned:
            values["last_scanned_at"] = now
        with write_transaction(self._engine) as connection:
            connection.execute(update(resources).where(resources.c.id == pk).values(**values))

    def mark_removed(self, connection: Connection, pk: int) -> None:
        """Record that the resource is gone (its findings are closed by reconcile, not here)."""
        now = self._clock()
        connection.execute(
            update(resources)
            .where(resources.c.id == pk)
            .values(
                removed_at=now,
                updated_at=now,
                scan_status_code="INACTIVE",
                scan_status_reason="RESOURCE_TERMINATED",
            )
        )

    def save_inventory(self, connection: Connection, pk: int, inventory: StoredInventory) -> None:
        """Replace the resource's inventory; its keys change by difference, not by rewrite."""
        for ecosystem, name in inventory.keys:
            _bounded(ecosystem, 64, "ecosystem")
            _bounded(name, 512, "package name")
        row = {
            "document": dict(inventory.document),
            "package_count": inventory.package_count,
            "catalogers": dict(inventory.catalogers),
            "understood": inventory.understood,
            "scanned_at": inventory.scanned_at,
            # SQL NULL, not the JSON null a None would become: "not known yet".
            "named_keys": null(),
            "named_packages": null(),
        }
        if inventory.named is not None:
            row["named_keys"], row["named_packages"] = inventory.named.columns()
        done = connection.execute(
            update(inventories).where(inventories.c.resource_pk == pk).values(**row)
        ).rowcount
        if not done:
            connection.execute(insert(inventories).values(resource_pk=pk, **row))
        old = {
            (r.ecosystem, r.name)
            for r in connection.execute(
                select(inventory_keys.c.ecosystem, inventory_keys.c.name).where(
                    inventory_keys.c.resource_pk == pk
                )
            )
        }
        gone = sorted(old - inventory.keys)
        for start in range(0, len(gone), _CHUNK):
            connection.execute(
                delete(inventory_keys).where(
                    inventory_keys.c.resource_pk == pk,
                    tuple_(inventory_keys.c.ecosystem, inventory_keys.c.name).in_(
                        gone[start : start + _CHUNK]
                    ),
                )
            )
        added = sorted(inventory.keys - old)
        if added:
            connection.execute(
                insert(inventory_keys),
                [{"resource_pk": pk, "ecosystem": e, "name": n} for e, n in added],
            )
        connection.execute(
            update(resources)
            .where(resources.c.id == pk)
            .values(last_scanned_at=inventory.scanned_at)
        )

    def inventory(self, pk: int) -> StoredInventory | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(inventories).where(inventories.c.resource_pk == pk)
            ).one_or_none()
            if row is None:
                return None
            keys = connection.execute(
                select(inventory_keys.c.ecosystem, inventory_keys.c.name).where(
                    inventory_keys.c.resource_pk == pk
                )
            )
            return StoredInventory(
                row.document,
                row.package_count,
                row.catalogers,
                row.understood,
                row.scanned_at,
                frozenset((k.ecosystem, k.name) for k in keys),
                NamedEntries.from_columns(row.named_keys, row.named_packages),
            )

    def holding(self, keys: Iterable[tuple[str, str]]) -> set[int]:
        """The resources (not removed) whose latest inventory holds any of ``keys``."""
        wanted = sorted(set(keys))
        found: set[int] = set()
        with self._engine.connect() as connection:
            for start in range(0, len(wanted), _CHUNK):
                query = (
                    select(inventory_keys.c.resource_pk)
                    .distinct()
                    .join(resources, resources.c.id == inventory_keys.c.resource_pk)
                    .where(
                        tuple_(inventory_keys.c.ecosystem, inventory_keys.c.name).in_(
                            wanted[start : start + _CHUNK]
                        ),
                        resources.c.removed_at.is_(None),
                    )
                )
                found.update(connection.execute(query).scalars())
        return found


def _stored(row: RowMapping) -> StoredResource:
    resource = Resource(
        account_id=row["account_id"],
        resource_id=row["resource_id"],
        resource_type=ResourceType(row["resource_type"]),
        region=row["region"],
        partition=row["partition"],
        tags=row["tags"],
        details=row["details"],
        target=row["target"],
    )
    return StoredResource(
        row["id"],
        resource,
        row["scan_status_code"],
        row["scan_status_reason"],
        row["created_at"],
        row["updated_at"],
        row["last_scanned_at"],
        row["removed_at"],
    )
