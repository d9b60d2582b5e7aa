"""``vigil server`` stopped and started again as a real process: SIGTERM lets the running job
finish and leaves the queued ones for the next start; a job still running when the shutdown
timeout ends is resumed by the next start; a restart applies no migration, makes no new key and
keeps every finding as it was. Also on the PostgreSQL running on this machine."""

from __future__ import annotations

import copy
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.cli.scan_support import VULNERABLE, build_store
from tests.cli.server_support import Key, ServerProcess, signed, start_server, wait_for_job
from vigil.db.migrate import head
from vigil.jobs import FILENAME, JobId, JobStatus, SqliteJobQueue
from vigil.service.inventory import scan_inventory
from vigil.service.job_requests import EVALUATION_VERSION, REEVALUATE
from vigil.service.sbom import render_sbom
from vigil.service.server import EVALUATED_WITH

ACCOUNT = "111122223333"
FINDINGS_PER_HOST = 13  # what the Debian 11 target's three packages have in the fixture store


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("lifecycle-db"))


@pytest.fixture(scope="module")
def inventory() -> dict[str, Any]:
    """The real target's vigil-json inventory, plus packages that make ingest take seconds."""
    scanned = scan_inventory(f"dir:{VULNERABLE}")
    document: dict[str, Any] = json.loads(
        render_sbom(scanned, "vigil-json", created=datetime(2026, 1, 1, tzinfo=UTC))
    )
    template = next(p for p in document["packages"] if p["name"] == "requests")
    for n in range(6000):
        extra = copy.deepcopy(template)
        extra.update(name=f"vigil-load-{n}", version="1.0.0", purl=f"pkg:pypi/vigil-load-{n}@1.0.0")
        document["packages"].append(extra)
    return document


def upload(server: ServerProcess, key: Key, host: str, document: dict[str, Any]) -> str:
    body = {"resource": {"type": "host", "id": host}, "document": document}
    answer = signed("POST", f"{server.url}/_vigil/v1/inventories", key, json.dumps(body).encode())
    assert answer.status_code == 202, answer.text
    return str(answer.json()["jobId"])


def wait_running(server: ServerProcess, key: Key, jobs: list[str], timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for job in jobs:
            url = f"{server.url}/_vigil/v1/jobs/{job}"
            if signed("GET", url, key).json()["status"] == "RUNNING":
                return job
        time.sleep(0.05)
    raise AssertionError("no job started running")


def statuses(data_dir: Path, jobs: list[str]) -> dict[str, JobStatus]:
    queue = SqliteJobQueue(data_dir / FILENAME)
    try:
        return {job: queue.get(JobId(job)).status for job in jobs}
    finally:
        queue.close()


def findings_of(server: ServerProcess, key: Key, host: str) -> dict[str, tuple[str, Any]]:
    """Finding ARN → (status, firstObservedAt) of one host, through boto3."""
    criteria = {"resourceId": [{"comparison": "EQUALS", "value": host}]}
    pages = server.client(key).get_paginator("list_findings").paginate(filterCriteria=criteria)
    return {
        f["findingArn"]: (f["status"], f["firstObservedAt"])
        for page in pages
        for f in page["findings"]
    }


def test_sigterm_finishes_the_running_job_and_a_restart_runs_the_queued_ones(
    tmp_path: Path, store: Path, inventory: dict[str, Any]
) -> None:
    data, home = tmp_path / "data", tmp_path / "home"
    args = ("--advisory-db", str(store), "--workers", "1")
    first = start_server(data, home, *args)
    try:
        key = first.create_key(ACCOUNT)
        jobs = [upload(first, key, f"i-{n}", inventory) for n in range(3)]
        running = wait_running(first, key, jobs)
        code, said = first.stop()
    finally:
        first.kill()
    assert code == 0, first.stderr()
    assert said == ["Vigil stopped; every running job finished."]
    after_stop = statuses(data, jobs)
    assert after_stop[running] is JobStatus.SUCCEEDED
    assert set(after_stop.values()) <= {JobStatus.SUCCEEDED, JobStatus.QUEUED}
    done_hosts = [f"i-{jobs.index(j)}" for j, s in after_stop.items() if s is JobStatus.SUCCEEDED]

    again = start_server(data, home, *args)
    try:
        banner = "\n".join(again.banner)
        assert f"schema {head()} (already current)" in banner
        assert "access key(s) exist" in banner
        assert "First admin access key" not in banner
        before = {host: findings_of(again, key, host) for host in done_hosts}
        for job in jobs:
            assert wait_for_job(again, key, job)["status"] == "SUCCEEDED"
        for n in range(3):
            found = findings_of(again, key, f"i-{n}")
            assert len(found) == FINDINGS_PER_HOST
            assert {status for status, _ in found.values()} == {"ACTIVE"}
        for host, kept in before.items():
            assert findings_of(again, key, host) == kept  # same ARNs, first observed unchanged
        code, said = again.stop()
    finally:
        again.kill()
    assert code == 0
    assert said == ["Vigil stopped; every running job finished."]
    # The first start queued one re-evaluation for this build; the restart did not queue another.
    assert (data / EVALUATED_WITH).read_text().strip() == EVALUATION_VERSION
    queue = SqliteJobQueue(data / FILENAME)
    try:
        assert [j.status for j in queue.list(kind=REEVALUATE)] == [JobStatus.SUCCEEDED]
    finally:
        queue.close()


def test_a_job_still_running_at_the_shutdown_timeout_is_resumed_by_the_next_start(
    tmp_path: Path, store: Path, inventory: dict[str, Any]
) -> None:
    data, home = tmp_path / "data", tmp_path / "home"
    args = ("--advisory-db", str(store), "--workers", "1", "--shutdown-timeout", "0")
    first = start_server(data, home, *args)
    try:
        key = first.create_key(ACCOUNT)
        job = upload(first, key, "i-slow", inventory)
        wait_running(first, key, [job])
        code, said = first.stop()
    finally:
        first.kill()
    assert code == 0, first.stderr()
    if statuses(data, [job])[job] is JobStatus.SUCCEEDED:
        pytest.fail("the job finished before the shutdown; make its inventory larger")
    assert said == ["Vigil stopped; jobs still running resume at the next start."]
    assert statuses(data, [job])[job] is JobStatus.RUNNING

    again = start_server(data, home, *args)
    try:
        assert any(line.endswith("1 resumed") for line in again.banner), again.banner
        assert wait_for_job(again, key, job)["status"] == "SUCCEEDED"
        assert len(findings_of(again, key, "i-slow")) == FINDINGS_PER_HOST
    finally:
        again.stop()
        again.kill()


def test_on_postgresql_a_restart_keeps_the_schema_and_the_findings(
    tmp_path: Path, store: Path, postgres_database_url: str
) -> None:
    data, home = tmp_path / "data", tmp_path / "home"
    args = ("--advisory-db", str(store), "--database-url", postgres_database_url)
    first = start_server(data, home, *args)
    try:
        assert any(head() in line for line in first.banner), first.banner
        key = first.create_key(ACCOUNT, "admin", "--database-url", postgres_database_url)
        done = first.vigil(
            "resources", "scan", f"dir:{VULNERABLE}", "--account", ACCOUNT,
            "--resource-id", "i-pg", "--endpoint-url", first.url, "--wait", key=key,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "13 vulnerabilities observed, 13 new findings" in done.stdout
        kept = findings_of(first, key, "i-pg")
        assert len(kept) == FINDINGS_PER_HOST
        code, _ = first.stop()
    finally:
        first.kill()
    assert code == 0
    again = start_server(data, home, *args)
    try:
        assert any(f"schema {head()} (already current)" in line for line in again.banner)
        assert findings_of(again, key, "i-pg") == kept
    finally:
        again.stop()
        again.kill()
