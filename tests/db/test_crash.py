"""A writer killed with SIGKILL mid-ingest loses and duplicates nothing: batches are atomic."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, func, select

from tests.db.crash_worker import RESOURCES, observed_in
from tests.db.findings_support import T0, Harness, host, observe
from vigil.db.tables import finding_history, finding_packages, findings

ROOT = Path(__file__).resolve().parents[2]


def _run_until_killed(url: str, rounds: int) -> int:
    """Start the worker, SIGKILL it while it is inside a later batch; the last round it saw."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.db.crash_worker", url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    last = 0
    try:
        for line in worker.stdout:
            last = int(line.split()[1])
            if last >= rounds:
                # The next batch has begun; give it a moment to be halfway written.
                time.sleep(0.15)
                break
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        worker.stdout.close()
    assert worker.returncode == -signal.SIGKILL
    assert last >= rounds, "the worker stopped before committing the rounds"
    return last


def test_sigkill_mid_ingest_then_restart(db_engine: Engine) -> None:
    url = db_engine.url.render_as_string(hide_password=False)
    last = _run_until_killed(url, rounds=3)

    with db_engine.connect() as connection:
        statuses = connection.execute(
            select(findings.c.resource_pk, findings.c.vulnerability_id, findings.c.status)
        ).all()
        last_observed = (
            connection.execute(
                select(findings.c.last_observed_at).where(findings.c.status != "CLOSED").distinct()
            )
            .scalars()
            .all()
        )
    # Every resource is at the same committed round: the last printed or the one after it.
    assert len(last_observed) == 1
    committed = round((last_observed[0] - T0) / timedelta(hours=1))
    assert committed in {last, last + 1}
    expected_open = set(observed_in(committed))
    per_resource = Counter(pk for pk, _, _ in statuses)
    assert len(per_resource) == RESOURCES
    for pk, vid, status in statuses:
        assert (status != "CLOSED") == (vid in expected_open), (pk, vid, status)

    # The restarted service ingests the next round over what the dead one left.
    harness = Harness(db_engine, random_arns=True)
    pks = [harness.resources.upsert(host(n)) for n in range(RESOURCES)]
    following = committed + 1
    harness.ingest(
        {pk: [observe(v) for v in observed_in(following)] for pk in pks},
        T0 + timedelta(hours=following),
    )
    with db_engine.connect() as connection:
        rows = connection.execute(
            select(findings.c.id, findings.c.vulnerability_id, findings.c.status)
        ).all()
        without_packages = connection.execute(
            select(func.count())
            .select_from(findings)
            .where(~findings.c.id.in_(select(finding_packages.c.finding_id)))
        ).scalar()
        history = connection.execute(
            select(finding_history.c.finding_id, finding_history.c.to_status).order_by(
                finding_history.c.id
            )
        )
        latest = {row.finding_id: row.to_status for row in history}
    open_now = set(observed_in(following))
    active = Counter(r.vulnerability_id for r in rows if r.status == "ACTIVE")
    assert active == dict.fromkeys(open_now, RESOURCES)
    assert without_packages == 0
    # History and rows agree: no status change was written without its history row, or back.
    assert {r.id: r.status for r in rows} == latest
