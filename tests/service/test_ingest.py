"""Ingest on SQLite and PostgreSQL: a real advisory store, real package versions, the store's
lifecycle (remediation, recurrence, removal, suppression) seen through the findings table."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from tests.service.ingest_support import (
    ACCOUNT,
    AIOHTTP_FIXED,
    AIOHTTP_OLD,
    APACHE_OLD,
    JINJA_OLD,
    OPENSSL_FIXED,
    OPENSSL_OLD,
    T0,
    StepClock,
    finding_rows,
    host,
    inventory,
    sequential_ids,
)
from vigil.advisories.store import AdvisoryStore
from vigil.db.resources import ResourceStore
from vigil.db.tables import filters, finding_history, finding_suppressions, inventory_keys
from vigil.service.evaluation import Evaluator
from vigil.service.ingest import Ingestor, ResourceRemoved, UnknownResource
from vigil.service.resources import ResourceService

ARN = re.compile(r"arn:aws:inspector2:eu-west-1:111122223333:finding/[0-9a-f]{32}")


@pytest.fixture
def evaluator(template: Path, tmp_path: Path) -> Iterator[Evaluator]:
    path = tmp_path / "advisories.db"
    shutil.copy(template, path)
    store = AdvisoryStore(path, create=False)
    yield Evaluator(store)
    store.close()


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def ingestor(db_engine: Engine, evaluator: Evaluator, clock: StepClock) -> Ingestor:
    return Ingestor(db_engine, lambda: evaluator, clock=clock, new_id=sequential_ids())


def test_first_inventory_creates_active_findings_and_stores_keys(
    ingestor: Ingestor, db_engine: Engine
) -> None:
    pk = ResourceService(db_engine, clock=ingestor.clock).register(host(1, env="prod"))
    outcome = ingestor.ingest(ACCOUNT, host(1).resource_id, inventory(APACHE_OLD, AIOHTTP_OLD))

    rows = finding_rows(db_engine, pk)
    assert outcome.findings == len(rows) > 10
    assert not outcome.stale
    assert {"CVE-2021-40438", "CVE-2021-21330"} <= set(rows)  # apache2 (DSA) and aiohttp (NVD)
    for row in rows.values():
        assert row["status"] == "ACTIVE"
        assert ARN.fullmatch(row["finding_arn"])
        assert row["first_observed_at"] == row["last_observed_at"] == row["updated_at"] == T0
        assert row["document"]["resources"][0]["tags"] == {"env": "prod"}
    assert rows["CVE-2021-21330"]["document"]["packageVulnerabilityDetails"]["source"] == "NVD"
    with db_engine.connect() as connection:
        keys = set(connection.execute(select(inventory_keys.c.ecosystem, inventory_keys.c.name)))
    assert keys == {("Debian", "apache2"), ("PyPI", "aiohttp")}
    stored = ResourceStore(db_engine, clock=ingestor.clock).get(ACCOUNT, host(1).resource_id)
    assert stored is not None
    assert (stored.scan_status_code, stored.scan_status_reason) == ("ACTIVE", "SUCCESSFUL")
    assert stored.last_scanned_at == T0


def test_the_same_inventory_again_only_moves_last_observed(
    ingestor: Ingestor, db_engine: Engine, clock: StepClock
) -> None:
    pk = ResourceService(db_engine).register(host(1))
    packages = inventory(APACHE_OLD, OPENSSL_OLD, AIOHTTP_OLD)
    ingestor.ingest(ACCOUNT, host(1).resource_id, packages)
    before = finding_rows(db_engine, pk)
    later = clock.advance()
    outcome = ingestor.ingest(ACCOUNT, host(1).resource_id, packages)

    after = finding_rows(db_engine, pk)
    assert outcome.stats.created == outcome.stats.closed == outcome.stats.updated == 0
    assert set(after) == set(before)
    for vid, row in after.items():
        assert row["finding_arn"] == before[vid]["finding_arn"]
        assert row["updated_at"] == T0
        assert row["first_observed_at"] == T0
        assert row["last_observed_at"] == later
        assert row["document_hash"] == before[vid]["document_hash"]


def test_a_new_inventory_rematches_that_resource_only(
    ingestor: Ingestor, db_engine: Engine, clock: StepClock
) -> None:
    service = ResourceService(db_engine)
    first, second = service.register(host(1)), service.register(host(2))
    for n in (1, 2):
        ingestor.ingest(ACCOUNT, host(n).resource_id, inventory(OPENSSL_OLD, AIOHTTP_OLD))
    untouched = finding_rows(db_engine, second)
    before = finding_rows(db_engine, first)
    later = clock.advance()
    ingestor.ingest(ACCOUNT, host(1).resource_id, inventory(OPENSSL_FIXED, AIOHTTP_OLD))

    assert finding_rows(db_engine, second) == untouched
    after = finding_rows(db_engine, first)
    openssl = {v for v, r in before.items() if "libssl1.1" in r["title"]}
    assert openssl
    assert set(after) == set(before)
    for vid, row in after.items():
        if vid in openssl:
            assert (row["status"], row["closed_reason"]) == ("CLOSED", "REMEDIATED")
            assert row["closed_at"] == row["updated_at"] == later
        else:
            assert row["status"] == "ACTIVE"
            assert row["last_observed_at"] == later


def test_remediation_closes_and_recurrence_reopens_the_same_finding(
    ingestor: Ingestor, db_engine: Engine, clock: StepClock
) -> None:
    pk = ResourceService(db_engine).register(host(1))
    rid = host(1).resource_id
    ingestor.ingest(ACCOUNT, rid, inventory(AIOHTTP_OLD))
    opened = finding_rows(db_engine, pk)["CVE-2021-21330"]
    clock.advance()
    ingestor.ingest(ACCOUNT, rid, inventory(AIOHTTP_FIXED))
    assert finding_rows(db_engine, pk)["CVE-2021-21330"]["status"] == "CLOSED"
    back = clock.advance(timedelta(days=2))
    ingestor.ingest(ACCOUNT, rid, inventory(AIOHTTP_OLD))

    row = finding_rows(db_engine, pk)["CVE-2021-21330"]
    assert row["finding_arn"] == opened["finding_arn"]
    assert (row["status"], row["first_observed_at"], row["updated_at"]) == ("ACTIVE", T0, back)
    with db_engine.connect() as connection:
        reasons = connection.execute(
            select(finding_history.c.reason)
            .where(finding_history.c.finding_arn == opened["finding_arn"])
            .order_by(finding_history.c.id)
        ).scalars()
        assert list(reasons) == ["OBSERVED", "REMEDIATED", "RECURRED"]


def test_a_removed_resource_closes_its_findings_and_takes_no_inventory(
    ingestor: Ingestor, db_engine: Engine, clock: StepClock
) -> None:
    service = ResourceService(db_engine, clock=clock)
    pk = service.register(host(1))
    other = service.register(host(2))
    for n in (1, 2):
        ingestor.ingest(ACCOUNT, host(n).resource_id, inventory(AIOHTTP_OLD, JINJA_OLD))
    kept = finding_rows(db_engine, other)
    gone_at = clock.advance()
    removal = service.remove(ACCOUNT, host(1).resource_id)

    rows = finding_rows(db_engine, pk)
    assert removal.closed == len(rows) > 0
    assert {(r["status"], r["closed_reason"], r["closed_at"]) for r in rows.values()} == {
        ("CLOSED", "RESOURCE_REMOVED", gone_at)
    }
    assert finding_rows(db_engine, other) == kept
    stored = service.get(ACCOUNT, host(1).resource_id)
    assert (stored.scan_status_code, stored.scan_status_reason) == (
        "INACTIVE",
        "RESOURCE_TERMINATED",
    )
    with pytest.raises(ResourceRemoved):
        ingestor.ingest(ACCOUNT, host(1).resource_id, inventory(AIOHTTP_OLD))
    assert service.remove(ACCOUNT, host(1).resource_id).closed == 0

    # Registered again within the reopen window: the same findings come back.
    service.register(host(1))
    ingestor.ingest(ACCOUNT, host(1).resource_id, inventory(AIOHTTP_OLD, JINJA_OLD))
    again = finding_rows(db_engine, pk)
    assert {v: r["finding_arn"] for v, r in again.items()} == {
        v: r["finding_arn"] for v, r in rows.items()
    }
    assert {r["status"] for r in again.values()} == {"ACTIVE"}


def test_an_older_inventory_than_the_stored_one_is_ignored(
    ingestor: Ingestor, db_engine: Engine, clock: StepClock
) -> None:
    pk = ResourceService(db_engine).register(host(1))
    rid = host(1).resource_id
    ingestor.ingest(ACCOUNT, rid, inventory(AIOHTTP_FIXED), scanned_at=T0 + timedelta(hours=2))
    clock.advance(timedelta(hours=3))
    outcome = ingestor.ingest(ACCOUNT, rid, inventory(AIOHTTP_OLD), scanned_at=T0)

    assert outcome.stale
    assert finding_rows(db_engine, pk) == {}


def test_suppression_rules_of_the_account_apply_to_new_findings(
    ingestor: Ingestor, db_engine: Engine
) -> None:
    criteria = {"vulnerabilityId": [{"comparison": "EQUALS", "value": "CVE-2021-21330"}]}
    with db_engine.begin() as connection:
        rule = connection.execute(
            insert(filters)
            .values(
                arn=f"arn:aws:inspector2:eu-west-1:{ACCOUNT}:owner/{ACCOUNT}/filter/0123456789",
                account_id=ACCOUNT,
                name="accepted risk",
                action="SUPPRESS",
                criteria=criteria,
                tags={},
                created_at=T0,
                updated_at=T0,
            )
            .returning(filters.c.id)
        ).scalar_one()
    pk = ResourceService(db_engine).register(host(1))
    ingestor.ingest(ACCOUNT, host(1).resource_id, inventory(AIOHTTP_OLD))

    rows = finding_rows(db_engine, pk)
    assert rows["CVE-2021-21330"]["status"] == "SUPPRESSED"
    assert {r["status"] for v, r in rows.items() if v != "CVE-2021-21330"} == {"ACTIVE"}
    with db_engine.connect() as connection:
        links = connection.execute(select(finding_suppressions)).all()
    assert [(link.finding_id, link.filter_id) for link in links] == [
        (rows["CVE-2021-21330"]["id"], rule)
    ]


def test_unknown_resources_and_unreadable_inventories(
    ingestor: Ingestor, db_engine: Engine
) -> None:
    with pytest.raises(UnknownResource):
        ingestor.ingest(ACCOUNT, "i-00000000000000099", inventory(AIOHTTP_OLD))
    ResourceService(db_engine).register(host(1))
    outcome = ingestor.ingest(ACCOUNT, host(1).resource_id, inventory())
    assert outcome.findings == 0
    stored = ResourceService(db_engine).get(ACCOUNT, host(1).resource_id)
    assert (stored.scan_status_code, stored.scan_status_reason) == ("INACTIVE", "UNSUPPORTED_OS")
