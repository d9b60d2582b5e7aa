"""A server process running ingest jobs is killed with SIGKILL halfway through a batch of
inventories; restarted, its queue resumes, and the findings table ends up exactly as in a run
that was never killed: nothing lost, nothing duplicated, the same history."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from tests.dbfixtures import sqlite_engine_at
from tests.service.ingest_support import (
    ACCOUNT,
    AIOHTTP_OLD,
    APACHE_OLD,
    JINJA_OLD,
    OPENSSL_OLD,
    T0,
    build_store,
    host,
    inventory,
)
from vigil.db.tables import finding_history, findings, resources
from vigil.domain import Package
from vigil.jobs import JobStatus, SqliteJobQueue
from vigil.service.job_handlers import submit_inventory
from vigil.service.resources import ResourceService

ROOT = Path(__file__).resolve().parents[2]
HOSTS = 60
PACKAGES = (APACHE_OLD, OPENSSL_OLD, AIOHTTP_OLD, JINJA_OLD)


def _contents(n: int) -> tuple[Package, ...]:
    """Each host a different non-empty subset of the packages."""
    bits = n % 15 + 1
    return tuple(p for i, p in enumerate(PACKAGES) if bits >> i & 1)


def _prepare(engine: Engine, jobs_file: Path) -> None:
    service = ResourceService(engine, clock=lambda: T0)
    with closing(SqliteJobQueue(jobs_file)) as queue:
        for n in range(HOSTS):
            service.register(host(n))
            packages = inventory(*_contents(n))
            submit_inventory(queue, ACCOUNT, host(n).resource_id, packages, T0)


def _worker(url: str, advisory_db: Path, jobs_file: Path, mode: str) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-m", "tests.service.ingest_worker", url, str(advisory_db)]
    return subprocess.Popen([*args, str(jobs_file), mode], cwd=ROOT)


def _findings(engine: Engine) -> tuple[Counter[tuple[object, ...]], Counter[tuple[object, ...]]]:
    """Findings and history rows, named by resource and vulnerability (ids and ARNs differ)."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                resources.c.resource_id,
                findings.c.vulnerability_id,
                findings.c.status,
                findings.c.first_observed_at,
                findings.c.last_observed_at,
                findings.c.updated_at,
                findings.c.document_hash,
            ).join(resources, resources.c.id == findings.c.resource_pk)
        ).all()
        history = connection.execute(
            select(
                resources.c.resource_id,
                findings.c.vulnerability_id,
                finding_history.c.to_status,
                finding_history.c.reason,
            )
            .join(findings, findings.c.id == finding_history.c.finding_id)
            .join(resources, resources.c.id == findings.c.resource_pk)
        ).all()
    return Counter(tuple(r) for r in rows), Counter(tuple(h) for h in history)


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(findings)).scalar_one())


def test_sigkill_mid_batch_then_restart_matches_an_uninterrupted_run(
    db_engine: Engine, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    advisory_db = build_store(tmp_path_factory.mktemp("advisories"))
    reference_db = tmp_path / "advisories-ref.db"
    shutil.copy(advisory_db, reference_db)

    # The reference: the same jobs, run to the end without interruption.
    reference = sqlite_engine_at(tmp_path / "reference.db")
    _prepare(reference, tmp_path / "ref-jobs.sqlite")
    url = reference.url.render_as_string(hide_password=False)
    assert _worker(url, reference_db, tmp_path / "ref-jobs.sqlite", "drain").wait(120) == 0
    expected, expected_history = _findings(reference)
    reference.dispose()
    assert sum(expected.values()) > HOSTS

    jobs_file = tmp_path / "jobs.sqlite"
    _prepare(db_engine, jobs_file)
    url = db_engine.url.render_as_string(hide_password=False)
    server = _worker(url, advisory_db, jobs_file, "serve")
    try:
        deadline = time.monotonic() + 120
        while _count(db_engine) < sum(expected.values()) // 3:
            assert server.poll() is None, "the server stopped on its own"
            assert time.monotonic() < deadline, "the server ingested nothing"
            time.sleep(0.005)
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(30)
    assert server.returncode == -signal.SIGKILL
    with closing(SqliteJobQueue(jobs_file)) as queue:
        left = queue.list(status=(JobStatus.QUEUED, JobStatus.RUNNING), limit=HOSTS)
    assert left, "the kill came after the whole batch: nothing was interrupted"
    assert _count(db_engine) < sum(expected.values())

    restarted = _worker(url, advisory_db, jobs_file, "drain")
    assert restarted.wait(120) == 0
    with closing(SqliteJobQueue(jobs_file)) as queue:
        done = queue.list(limit=HOSTS + 1)
    assert len(done) == HOSTS
    assert {job.status for job in done} == {JobStatus.SUCCEEDED}
    got, got_history = _findings(db_engine)
    assert got == expected
    assert got_history == expected_history
    assert max(got.values()) == 1  # no finding twice
