"""Re-evaluation after real syncs of the advisory store, on SQLite and PostgreSQL: only the
resources holding a changed key are touched, new advisories open findings, withdrawn ones close
them, and a resource changed while a batch was being matched is left to its own ingest."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.service.ingest_support import (
    ACCOUNT,
    AIOHTTP_OLD,
    APACHE_OLD,
    JINJA_OLD,
    OPENSSL_OLD,
    T0,
    StepClock,
    finding_rows,
    host,
    inventory,
    new_record,
    pypi,
    sequential_ids,
    sync_records,
)
from vigil.advisories.store import AdvisoryStore
from vigil.domain import Observation, Package, Resource
from vigil.service.evaluation import Evaluator
from vigil.service.ingest import Ingestor
from vigil.service.package_cache import NamedPackages
from vigil.service.reevaluate import Reevaluator, diff_scope
from vigil.service.resources import ResourceService


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


class Fleet:
    """Three hosts: two with aiohttp, one without; ingested against the store as it was."""

    def __init__(self, engine: Engine, store_path: Path, clock: StepClock) -> None:
        self.engine, self.store_path, self.clock = engine, store_path, clock
        service = ResourceService(engine, clock=clock)
        contents = {
            1: inventory(APACHE_OLD, AIOHTTP_OLD),
            2: inventory(AIOHTTP_OLD, JINJA_OLD),
            3: inventory(OPENSSL_OLD, JINJA_OLD),
        }
        self.pks = {n: service.register(host(n)) for n in contents}
        with AdvisoryStore(store_path, create=False) as store:
            ingestor = Ingestor(
                engine, lambda: Evaluator(store), clock=clock, new_id=sequential_ids(1)
            )
            for n, packages in contents.items():
                ingestor.ingest(ACCOUNT, host(n).resource_id, packages)

    def reevaluator(self, store: AdvisoryStore, evaluator: Evaluator | None = None) -> Reevaluator:
        return Reevaluator(
            self.engine,
            evaluator or Evaluator(store),
            clock=self.clock,
            batch=2,
            new_id=sequential_ids(2),
        )


@pytest.fixture
def fleet(db_engine: Engine, store_path: Path, clock: StepClock) -> Fleet:
    return Fleet(db_engine, store_path, clock)


def test_a_new_advisory_reaches_only_the_resources_holding_its_package(
    fleet: Fleet, db_engine: Engine, tmp_path: Path
) -> None:
    before = {n: finding_rows(db_engine, pk) for n, pk in fleet.pks.items()}
    record = new_record("PYSEC-2099-1", "CVE-2099-0001", "aiohttp", "PyPI", "3.99.1")
    diff = sync_records(fleet.store_path, tmp_path / "drop", [record])
    assert diff.added == ("PYSEC-2099-1",)
    landed = fleet.clock.advance()
    with AdvisoryStore(fleet.store_path, create=False) as store:
        reevaluator = fleet.reevaluator(store)
        selected = reevaluator.holding(diff.keys)
        scope = diff_scope(store, diff.changed)
        report = reevaluator.run(selected, scope)

    assert scope is not None
    assert {"PYSEC-2099-1", "CVE-2099-0001"} <= scope

    assert selected == sorted([fleet.pks[1], fleet.pks[2]])
    assert (report.selected, report.evaluated, report.skipped) == (2, 2, 0)
    assert report.stats.created == 2
    assert finding_rows(db_engine, fleet.pks[3]) == before[3]  # untouched, updatedAt included
    for n in (1, 2):
        after = finding_rows(db_engine, fleet.pks[n])
        assert set(after) == {*before[n], "CVE-2099-0001"}
        new = after["CVE-2099-0001"]
        assert (new["status"], new["first_observed_at"], new["updated_at"]) == (
            "ACTIVE",
            landed,
            landed,
        )
        assert new["document"]["packageVulnerabilityDetails"]["vulnerablePackages"][0]["name"] == (
            "aiohttp"
        )
        for vid, row in before[n].items():  # out of the diff's scope: not even observed again
            assert after[vid] == row


def test_a_withdrawn_advisory_closes_its_findings(
    fleet: Fleet, db_engine: Engine, tmp_path: Path
) -> None:
    record = new_record("PYSEC-2099-2", "CVE-2099-0002", "jinja2", "PyPI", "9.0")
    diff = sync_records(fleet.store_path, tmp_path / "drop", [record])
    with AdvisoryStore(fleet.store_path, create=False) as store:
        fleet.reevaluator(store).run(fleet.reevaluator(store).holding(diff.keys))
    opened = {n: finding_rows(db_engine, fleet.pks[n])["CVE-2099-0002"] for n in (2, 3)}
    assert {row["status"] for row in opened.values()} == {"ACTIVE"}

    record["withdrawn"] = "2026-03-03T00:00:00Z"
    record["modified"] = "2026-03-03T00:00:00Z"
    diff = sync_records(fleet.store_path, tmp_path / "drop", [record])
    assert diff.withdrawn == ("PYSEC-2099-2",)
    closed_at = fleet.clock.advance()
    with AdvisoryStore(fleet.store_path, create=False) as store:
        reevaluator = fleet.reevaluator(store)
        report = reevaluator.run(reevaluator.holding(diff.keys), diff_scope(store, diff.changed))

    assert report.stats.closed == 2
    for n, row in opened.items():
        now = finding_rows(db_engine, fleet.pks[n])["CVE-2099-0002"]
        assert now["finding_arn"] == row["finding_arn"]
        assert (now["status"], now["closed_reason"], now["closed_at"]) == (
            "CLOSED",
            "REMEDIATED",
            closed_at,
        )


def test_selection_by_vulnerability_and_everything(fleet: Fleet, db_engine: Engine) -> None:
    with AdvisoryStore(fleet.store_path, create=False) as store:
        reevaluator = fleet.reevaluator(store)
        assert reevaluator.with_vulnerabilities(["CVE-2021-21330"]) == sorted(
            [fleet.pks[1], fleet.pks[2]]
        )
        assert reevaluator.everything() == sorted(fleet.pks.values())
        ResourceService(db_engine, clock=fleet.clock).remove(ACCOUNT, host(2).resource_id)
        assert reevaluator.everything() == sorted([fleet.pks[1], fleet.pks[3]])
        assert reevaluator.with_vulnerabilities(["CVE-2021-21330"]) == [fleet.pks[1]]
        # Nothing changed in the advisories: re-evaluating everything moves only lastObservedAt.
        before = finding_rows(db_engine)
        report = reevaluator.run(reevaluator.everything())
    assert (report.evaluated, report.stats.created, report.stats.updated) == (2, 0, 0)
    after = finding_rows(db_engine)
    assert {k: r["updated_at"] for k, r in after.items()} == {
        k: r["updated_at"] for k, r in before.items()
    }


class _ChangesOneResource(Evaluator):
    """While the batch is being matched, a new inventory of host 1 is ingested."""

    def __init__(self, store: AdvisoryStore, fleet: Fleet) -> None:
        super().__init__(store)
        self.fleet = fleet
        self.done = False

    def observe_packages(
        self,
        resource: Resource,
        packages: Iterable[Package],
        now: datetime,
        only: Collection[str] | None = None,
    ) -> list[Observation]:
        if not self.done:
            self.done = True
            store = self.store
            ingestor = Ingestor(self.fleet.engine, lambda: Evaluator(store), clock=self.fleet.clock)
            ingestor.ingest(ACCOUNT, host(1).resource_id, inventory(APACHE_OLD))
        return super().observe_packages(resource, packages, now, only)


def test_a_resource_changed_during_its_batch_is_left_to_its_ingest(
    fleet: Fleet, db_engine: Engine
) -> None:
    fleet.clock.advance()
    with AdvisoryStore(fleet.store_path, create=False) as store:
        reevaluator = fleet.reevaluator(store, _ChangesOneResource(store, fleet))
        report = reevaluator.run([fleet.pks[1], fleet.pks[2]])

    assert (report.evaluated, report.skipped) == (1, 1)
    # Host 1's aiohttp findings stay closed: the stale match that still saw aiohttp was dropped.
    row = finding_rows(db_engine, fleet.pks[1])["CVE-2021-21330"]
    assert (row["status"], row["closed_reason"]) == ("CLOSED", "REMEDIATED")


def test_a_package_named_for_the_first_time_is_found_despite_the_cache(
    db_engine: Engine, store_path: Path, clock: StepClock, tmp_path: Path
) -> None:
    quiet = pypi("vigil-quiet-project", "1.0")
    pk = ResourceService(db_engine).register(host(7))
    with AdvisoryStore(store_path, create=False) as store:
        Ingestor(db_engine, lambda: Evaluator(store), clock=clock).ingest(
            ACCOUNT, host(7).resource_id, inventory(AIOHTTP_OLD, quiet)
        )
    cache = NamedPackages()
    with AdvisoryStore(store_path, create=False) as store:
        Reevaluator(db_engine, Evaluator(store), clock=clock, cache=cache).run([pk])
    assert [p.name for p in cache.get(pk, T0) or ()] == ["aiohttp"]

    record = new_record("PYSEC-2099-3", "CVE-2099-0003", "vigil-quiet-project", "PyPI", "2.0")
    diff = sync_records(store_path, tmp_path / "drop", [record])
    with AdvisoryStore(store_path, create=False) as store:
        reevaluator = Reevaluator(db_engine, Evaluator(store), clock=clock, cache=cache)
        reevaluator.run(reevaluator.holding(diff.keys), diff_scope(store, diff.changed), diff.keys)

    assert finding_rows(db_engine, pk)["CVE-2099-0003"]["status"] == "ACTIVE"
    assert {p.name for p in cache.get(pk, T0) or ()} == {"aiohttp", "vigil-quiet-project"}


class _FailsSecondWrite(Reevaluator):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.writes = 0

    def _write(self, *args: Any, **kwargs: Any) -> Any:
        self.writes += 1
        if self.writes == 2:
            raise RuntimeError("disk full")
        return super()._write(*args, **kwargs)


def test_a_failed_batch_write_fails_the_run_after_the_earlier_batches_landed(
    fleet: Fleet, db_engine: Engine, tmp_path: Path
) -> None:
    record = new_record("PYSEC-2099-4", "CVE-2099-0004", "aiohttp", "PyPI", "3.99.1")
    diff = sync_records(fleet.store_path, tmp_path / "drop", [record])
    with AdvisoryStore(fleet.store_path, create=False) as store:
        reevaluator = _FailsSecondWrite(
            db_engine, Evaluator(store), clock=fleet.clock, batch=1, new_id=sequential_ids(2)
        )
        with pytest.raises(RuntimeError, match="disk full"):
            reevaluator.run(reevaluator.holding(diff.keys), diff_scope(store, diff.changed))
    # Batches are written in order, one at a time: the first landed, the second did not.
    assert "CVE-2099-0004" in finding_rows(db_engine, fleet.pks[1])
    assert "CVE-2099-0004" not in finding_rows(db_engine, fleet.pks[2])
