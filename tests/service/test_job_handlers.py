"""The service's job handlers run by the real embedded backend, on SQLite and PostgreSQL:
inventories and target scans ingested as jobs, an advisory sync (on demand and on its
schedule) whose diff queues a re-evaluation, and payloads refused without retries."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.service.ingest_support import (
    ACCOUNT,
    AIOHTTP_OLD,
    JINJA_OLD,
    finding_rows,
    host,
    inventory,
    new_record,
)
from tests.service.test_scan import DPKG_STATUS, OS_RELEASE
from vigil.advisories.sources.osv_local import OsvDirectorySource
from vigil.advisories.store import AdvisoryStore
from vigil.jobs import EmbeddedBackend, JobId, JobInfo, JobStatus, JSONValue, RunnerSettings
from vigil.service.advisory_sync import SourceOutcome, advisory_job, run_jobs
from vigil.service.job_handlers import (
    INGEST,
    REEVALUATE,
    SCAN,
    SYNC_SCHEDULE,
    ServiceJobs,
    SyncRunner,
    advisory_schedule,
    reevaluate_on_new_version,
    reevaluation_payload,
    submit_inventory,
)
from vigil.service.resource_shapes import host as host_resource
from vigil.service.resources import ResourceService

SETTINGS = RunnerSettings(workers=2, poll_interval=0.02)


def drop_sync(store_path: Path, folder: Path) -> SyncRunner:
    """A real sync of a local folder of OSV records (an update drop) into the store."""
    folder.mkdir(parents=True, exist_ok=True)

    def run(_: Mapping[str, JSONValue]) -> Sequence[SourceOutcome]:
        source = OsvDirectorySource(folder, name="drop", complete=False)
        with AdvisoryStore(store_path, create=False) as store:
            return run_jobs(store, [advisory_job(source, workers=1)], None)

    return run


class Service:
    def __init__(self, engine: Engine, directory: Path, template: Path, first_sync: timedelta):
        self.store_path = directory / "advisories.db"
        shutil.copy(template, self.store_path)
        self.drop = directory / "drop"
        self.jobs = ServiceJobs(engine, self.store_path, sync=drop_sync(self.store_path, self.drop))
        schedule = replace(advisory_schedule(timedelta(hours=6)), first_delay=first_sync)
        self.backend = EmbeddedBackend(
            directory / "jobs.sqlite", self.jobs.registry(), SETTINGS, schedules=[schedule]
        )
        self.jobs.attach(self.backend)
        self.backend.start()

    def wait(self, job: JobId, timeout: float = 60) -> JobInfo:
        deadline = time.monotonic() + timeout
        while True:
            info = self.backend.get(job)
            if info.status.finished:
                return info
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job} still {info.status}")
            time.sleep(0.02)

    def close(self) -> None:
        self.backend.close()
        self.jobs.close()


@pytest.fixture
def service(db_engine: Engine, tmp_path: Path, template: Path) -> Iterator[Service]:
    running = Service(db_engine, tmp_path, template, first_sync=timedelta(hours=1))
    yield running
    running.close()


def test_inventories_ingested_as_jobs_then_a_sync_reevaluates_their_holders(
    service: Service, db_engine: Engine
) -> None:
    resources = ResourceService(db_engine)
    pks = {n: resources.register(host(n)) for n in (1, 2)}
    now = datetime.now(UTC)
    jobs = [
        submit_inventory(
            service.backend, ACCOUNT, host(1).resource_id, inventory(AIOHTTP_OLD), now
        ),
        submit_inventory(service.backend, ACCOUNT, host(2).resource_id, inventory(JINJA_OLD), now),
    ]
    for job in jobs:
        info = service.wait(job)
        assert info.status is JobStatus.SUCCEEDED, info.error
    assert "CVE-2021-21330" in finding_rows(db_engine, pks[1])
    untouched = finding_rows(db_engine, pks[2])
    assert untouched

    record = new_record("PYSEC-2099-1", "CVE-2099-0001", "aiohttp", "PyPI", "3.99.1")
    service.drop.joinpath("PYSEC-2099-1.json").write_text(json.dumps(record))
    sync = service.wait(service.backend.trigger_now(SYNC_SCHEDULE))
    assert sync.status is JobStatus.SUCCEEDED, sync.error
    assert isinstance(sync.result, dict)
    follow_up = sync.result["reevaluate"]
    assert isinstance(follow_up, str)
    reevaluation = service.wait(JobId(follow_up))
    assert reevaluation.kind == REEVALUATE
    assert reevaluation.payload == {"keys": [["PyPI", "aiohttp"]], "records": ["PYSEC-2099-1"]}
    assert reevaluation.status is JobStatus.SUCCEEDED, reevaluation.error
    assert isinstance(reevaluation.result, dict)
    assert reevaluation.result["evaluated"] == 1
    assert reevaluation.result["scoped"] is True

    assert finding_rows(db_engine, pks[1])["CVE-2099-0001"]["status"] == "ACTIVE"
    assert finding_rows(db_engine, pks[2]) == untouched


def test_a_target_scanned_as_a_job(service: Service, db_engine: Engine, tmp_path: Path) -> None:
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").write_text(OS_RELEASE)
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "var/lib/dpkg/status").write_text(DPKG_STATUS)
    resource = host_resource(ACCOUNT, "web-1", region="eu-west-1", target=f"dir:{root}")
    pk = ResourceService(db_engine).register(resource)

    info = service.wait(service.backend.submit(SCAN, {"accountId": ACCOUNT, "resourceId": "web-1"}))
    assert info.status is JobStatus.SUCCEEDED, info.error
    rows = finding_rows(db_engine, pk)
    assert {"CVE-2021-40438", "CVE-2022-0778"} <= set(rows)  # apache2 and openssl of bullseye
    assert {r["status"] for r in rows.values()} == {"ACTIVE"}


@pytest.mark.parametrize(
    ("kind", "payload", "message"),
    [
        (INGEST, {"accountId": ACCOUNT, "resourceId": "i-1"}, "needs an inventory"),
        (INGEST, {"accountId": ACCOUNT}, "accountId and resourceId"),
        (INGEST, {"accountId": ACCOUNT, "resourceId": "i-1", "inventory": {"x": 1}}, "vigil-json"),
        (SCAN, {"accountId": ACCOUNT, "resourceId": "i-404"}, "no resource"),
        (REEVALUATE, {"keys": [["PyPI"]]}, "pairs of strings"),
        (REEVALUATE, {}, "keys, vulnerabilities or all"),
    ],
)
def test_bad_payloads_fail_at_once(
    service: Service, kind: str, payload: dict[str, JSONValue], message: str
) -> None:
    info = service.wait(service.backend.submit(kind, payload))
    assert info.status is JobStatus.FAILED
    assert info.attempts == 1
    assert info.error is not None
    assert message in info.error


def test_the_sync_runs_on_its_schedule(db_engine: Engine, tmp_path: Path, template: Path) -> None:
    running = Service(db_engine, tmp_path, template, first_sync=timedelta(0))
    try:
        deadline = time.monotonic() + 30
        while not (done := running.backend.list(kind="advisory-sync", status=JobStatus.SUCCEEDED)):
            assert time.monotonic() < deadline, "the scheduled sync never ran"
            time.sleep(0.05)
        assert isinstance(done[0].result, dict)
        assert done[0].result["reevaluate"] is None  # an empty drop: nothing changed
        (state,) = running.backend.scheduler.states()
        assert state.interval == timedelta(hours=6)
        assert state.next_run_at > datetime.now(UTC) + timedelta(hours=5)
    finally:
        running.close()


def _outcome(diff: dict[str, Any]) -> SourceOutcome:
    return SourceOutcome("source", diff=diff)


def test_which_reevaluation_a_sync_asks_for() -> None:
    osv = {"source": "osv", "added": ["X-1"], "keys": [{"ecosystem": "PyPI", "name": "aiohttp"}]}
    epss = {"source": "epss", "kind": "epss", "added": ["CVE-1"], "changed": ["CVE-2"]}
    assert reevaluation_payload([]) is None
    assert reevaluation_payload([SourceOutcome("kev", unchanged=True)]) is None
    assert reevaluation_payload([_outcome(osv)]) == {
        "keys": [["PyPI", "aiohttp"]],
        "records": ["X-1"],
    }
    assert reevaluation_payload([_outcome(epss)]) == {"vulnerabilities": ["CVE-1", "CVE-2"]}
    assert reevaluation_payload([_outcome(osv), _outcome(epss)]) == {"all": True}
    many = {"keys": [{"ecosystem": "npm", "name": f"p{n}"} for n in range(5001)]}
    assert reevaluation_payload([_outcome(many)]) == {"all": True}


def test_a_new_build_reevaluates_everything_once(service: Service, tmp_path: Path) -> None:
    marker = tmp_path / "state" / "evaluated-with"
    first = reevaluate_on_new_version(service.backend, marker, "1.0")
    assert first is not None
    info = service.wait(first)
    assert (info.kind, info.payload, info.status) == (
        REEVALUATE,
        {"all": True},
        JobStatus.SUCCEEDED,
    )
    assert marker.read_text() == "1.0\n"
    assert reevaluate_on_new_version(service.backend, marker, "1.0") is None
    assert reevaluate_on_new_version(service.backend, marker, "1.1") is not None
