"""ResourceStore: resources keyed by account and id, inventories, and the package-key lookup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from vigil.db.engine import write_transaction
from vigil.db.resources import ResourceStore, StoredInventory
from vigil.db.tables import inventory_keys, resources
from vigil.domain import Resource, ResourceType

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
ACCOUNT = "111122223333"


def image(digest: str = "a" * 64, *, tags: tuple[str, ...] = ("latest",)) -> Resource:
    return Resource(
        account_id=ACCOUNT,
        resource_id=f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/shop/sha256:{digest}",
        resource_type=ResourceType.AWS_ECR_CONTAINER_IMAGE,
        region="eu-west-1",
        tags={"team": "payments"},
        details={
            "awsEcrContainerImage": {
                "repositoryName": "shop",
                "imageTags": list(tags),
                "imageHash": f"sha256:{digest}",
                "registry": ACCOUNT,
            }
        },
        target=f"registry:registry.example/shop@sha256:{digest}",
    )


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def test_upsert_keeps_one_row_per_account_and_id(db_engine: Engine) -> None:
    clock = Clock()
    store = ResourceStore(db_engine, clock=clock)
    pk = store.upsert(image(tags=("v1",)))
    clock.now = T0 + timedelta(hours=1)
    assert store.upsert(image(tags=("v1", "v2"))) == pk
    stored = store.get(ACCOUNT, image().resource_id)
    assert stored is not None
    assert stored.pk == pk
    assert stored.resource == image(tags=("v1", "v2"))
    assert stored.resource.details["awsEcrContainerImage"]["imageTags"] == ["v1", "v2"]
    assert (stored.created_at, stored.updated_at) == (T0, T0 + timedelta(hours=1))
    assert (stored.scan_status_code, stored.scan_status_reason) == (
        "ACTIVE",
        "PENDING_INITIAL_SCAN",
    )
    with db_engine.connect() as connection:
        row = connection.execute(select(resources)).one()
    assert (row.ecr_repository_name, row.ecr_image_tags) == ("shop", ["v1", "v2"])
    assert row.tags == {"team": "payments"}


def test_the_same_id_in_another_account_is_another_resource(db_engine: Engine) -> None:
    store = ResourceStore(db_engine, clock=Clock())
    mine = store.upsert(image())
    other = Resource(**{**_fields(image()), "account_id": "444455556666"})
    assert store.upsert(other) != mine


def _fields(resource: Resource) -> dict[str, object]:
    return {name: getattr(resource, name) for name in Resource.__slots__}


def test_a_removed_resource_comes_back_when_seen_again(db_engine: Engine) -> None:
    store = ResourceStore(db_engine, clock=Clock())
    pk = store.upsert(image())
    with write_transaction(db_engine) as connection:
        store.mark_removed(connection, pk)
    removed = store.by_pk([pk])[pk]
    assert removed.removed_at == T0
    assert (removed.scan_status_code, removed.scan_status_reason) == (
        "INACTIVE",
        "RESOURCE_TERMINATED",
    )
    store.upsert(image())
    assert store.by_pk([pk])[pk].removed_at is None


def test_overlong_values_are_refused_not_truncated(db_engine: Engine) -> None:
    store = ResourceStore(db_engine, clock=Clock())
    huge = Resource(**{**_fields(image()), "resource_id": "x" * 1025})
    with pytest.raises(ValueError, match="resource id"):
        store.upsert(huge)


def inventory(*keys: tuple[str, str], at: datetime = T0) -> StoredInventory:
    return StoredInventory(
        document={"packages": [{"name": n} for _, n in keys]},
        package_count=len(keys),
        catalogers={"dpkg": "1"},
        understood=True,
        scanned_at=at,
        keys=frozenset(keys),
    )


def test_inventory_keys_follow_the_latest_inventory(db_engine: Engine) -> None:
    store = ResourceStore(db_engine, clock=Clock())
    first = store.upsert(image("a" * 64))
    second = store.upsert(image("b" * 64))
    with write_transaction(db_engine) as connection:
        store.save_inventory(
            connection, first, inventory(("Debian", "openssl"), ("PyPI", "jinja2"))
        )
        store.save_inventory(connection, second, inventory(("Debian", "openssl")))
    assert store.holding([("Debian", "openssl")]) == {first, second}
    assert store.holding([("PyPI", "jinja2"), ("npm", "left-pad")]) == {first}

    later = T0 + timedelta(days=1)
    with write_transaction(db_engine) as connection:
        store.save_inventory(
            connection, first, inventory(("PyPI", "jinja2"), ("PyPI", "flask"), at=later)
        )
    assert store.holding([("Debian", "openssl")]) == {second}
    assert store.holding([("PyPI", "flask")]) == {first}
    saved = store.inventory(first)
    assert saved is not None
    assert saved.keys == {("PyPI", "jinja2"), ("PyPI", "flask")}
    assert (saved.package_count, saved.scanned_at, saved.catalogers) == (2, later, {"dpkg": "1"})
    assert store.by_pk([first])[first].last_scanned_at == later
    with db_engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(inventory_keys)).scalar() == 3

    with write_transaction(db_engine) as connection:
        store.mark_removed(connection, second)
    assert store.holding([("Debian", "openssl")]) == set()


def test_many_keys_are_looked_up_in_chunks(db_engine: Engine) -> None:
    store = ResourceStore(db_engine, clock=Clock())
    pk = store.upsert(image())
    keys = [("npm", f"pkg-{n}") for n in range(1200)]
    with write_transaction(db_engine) as connection:
        store.save_inventory(connection, pk, inventory(*keys))
    assert store.holding([("npm", "nothing"), *keys[1100:]]) == {pk}
    assert store.inventory(pk) is not None
