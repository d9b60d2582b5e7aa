"""The SQLite queue on its own: what submit, get, list and cancel store, and what they refuse."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from tests.jobs.conftest import T0, FakeClock, sequential_ids
from vigil.jobs import (
    InvalidJob,
    JobId,
    JobNotFound,
    JobStatus,
    JSONValue,
    LeaseLost,
    SqliteJobQueue,
)
from vigil.jobs.sqlite_schema import JobFileError

LEASE = timedelta(seconds=30)


def test_submit_then_get_returns_the_stored_job(queue: SqliteJobQueue) -> None:
    job_id = queue.submit("scan", {"target": "dir:/srv", "depth": 2}, priority=3)

    info = queue.get(job_id)
    assert info.id == "job-0001"
    assert info.kind == "scan"
    assert info.payload == {"target": "dir:/srv", "depth": 2}
    assert info.status is JobStatus.QUEUED
    assert (info.priority, info.attempts, info.max_attempts) == (3, 0, 5)
    assert info.created_at == info.run_after == info.updated_at == T0
    assert (info.started_at, info.finished_at, info.error, info.result) == (None, None, None, None)


def test_the_job_survives_reopening_the_file(jobs_file: Path, clock: FakeClock) -> None:
    first = SqliteJobQueue(jobs_file, clock=clock)
    job_id = first.submit("sync", {"source": "osv"})
    first.close()

    second = SqliteJobQueue(jobs_file, clock=clock)
    try:
        assert second.get(job_id).payload == {"source": "osv"}
        assert second.get(job_id).status is JobStatus.QUEUED
    finally:
        second.close()


def test_a_key_returns_the_live_job_and_frees_once_it_finished(queue: SqliteJobQueue) -> None:
    first = queue.submit("reevaluate", {"keys": ["PyPI/django"]}, key="reeval:PyPI/django")
    again = queue.submit("reevaluate", {"keys": ["other"]}, key="reeval:PyPI/django")
    assert again == first
    assert len(queue.list()) == 1

    # Still deduplicated while it runs ...
    claim = queue.claim("w", {"reevaluate"}, LEASE)
    assert claim is not None
    assert queue.submit("reevaluate", {}, key="reeval:PyPI/django") == first
    # ... and a new job once it is finished.
    queue.succeed(claim, {"matched": 3})
    later = queue.submit("reevaluate", {}, key="reeval:PyPI/django")
    assert later != first
    assert queue.get(later).status is JobStatus.QUEUED


def test_claims_follow_priority_then_submission_order(
    queue: SqliteJobQueue, clock: FakeClock
) -> None:
    low = queue.submit("k", {"n": 1})
    high = queue.submit("k", {"n": 2}, priority=10)
    low2 = queue.submit("k", {"n": 3})
    later = queue.submit("k", {"n": 4}, priority=99, run_after=T0 + timedelta(minutes=5))

    order = []
    while (claim := queue.claim("w", {"k"}, LEASE)) is not None:
        order.append(claim.job_id)
    assert order == [high, low, low2]

    clock.advance(timedelta(minutes=5))
    claim = queue.claim("w", {"k"}, LEASE)
    assert claim is not None
    assert claim.job_id == later


def test_claims_only_the_kinds_asked_for(queue: SqliteJobQueue) -> None:
    queue.submit("report", {})
    scan = queue.submit("scan", {})
    assert queue.claim("w", set(), LEASE) is None
    claim = queue.claim("w", {"scan", "sync"}, LEASE)
    assert claim is not None
    assert claim.job_id == scan
    assert queue.claim("w", {"scan"}, LEASE) is None


def test_claim_marks_running_with_a_lease(queue: SqliteJobQueue) -> None:
    job_id = queue.submit("k", {"a": [1, 2]})
    claim = queue.claim("host:1-0", {"k"}, LEASE)
    assert claim is not None
    assert (claim.job_id, claim.kind, claim.payload, claim.attempt) == (
        job_id,
        "k",
        {"a": [1, 2]},
        1,
    )
    assert claim.lease_expires_at == T0 + LEASE
    assert claim.token.startswith("host:1-0/")
    info = queue.get(job_id)
    assert (info.status, info.attempts, info.started_at) == (JobStatus.RUNNING, 1, T0)


def test_success_stores_the_result_and_a_stale_claim_cannot_overwrite(
    queue: SqliteJobQueue, clock: FakeClock
) -> None:
    job_id = queue.submit("k", {})
    stale = queue.claim("a", {"k"}, LEASE)
    assert stale is not None
    clock.advance(LEASE + timedelta(seconds=1))
    assert queue.recover(all_running=False) == [job_id]
    fresh = queue.claim("b", {"k"}, LEASE)
    assert fresh is not None
    assert fresh.attempt == 2

    with pytest.raises(LeaseLost):
        queue.succeed(stale, {"by": "a"})
    assert queue.heartbeat(stale, LEASE) is False
    info = queue.succeed(fresh, {"by": "b", "n": 1.5})
    assert info.status is JobStatus.SUCCEEDED
    assert info.result == {"by": "b", "n": 1.5}
    assert info.finished_at == clock()
    assert info.error == "worker lost during attempt 1 of 5"


def test_cancel_a_queued_job_at_once_and_a_running_one_on_request(
    queue: SqliteJobQueue,
) -> None:
    queued = queue.submit("k", {}, key="same")
    assert queue.cancel(queued).status is JobStatus.CANCELLED
    assert queue.get(queued).finished_at == T0
    # Cancelling released the key.
    running = queue.submit("k", {}, key="same")
    assert running != queued
    claim = queue.claim("w", {"k"}, LEASE)
    assert claim is not None

    info = queue.cancel(running)
    assert (info.status, info.cancel_requested) == (JobStatus.RUNNING, True)
    assert queue.heartbeat(claim, LEASE) is False  # the runner tells the handler to stop
    assert queue.fail(claim, "Interrupted", T0).status is JobStatus.CANCELLED

    # A finished job stays as it was.
    assert queue.cancel(running).status is JobStatus.CANCELLED
    with pytest.raises(JobNotFound):
        queue.cancel(JobId("nope"))


def test_a_running_job_that_succeeds_after_cancel_keeps_its_result(
    queue: SqliteJobQueue,
) -> None:
    job_id = queue.submit("k", {})
    claim = queue.claim("w", {"k"}, LEASE)
    assert claim is not None
    queue.cancel(job_id)
    assert queue.succeed(claim, "done").status is JobStatus.SUCCEEDED


def test_release_gives_the_job_back_without_spending_an_attempt(queue: SqliteJobQueue) -> None:
    job_id = queue.submit("k", {})
    claim = queue.claim("w", {"k"}, LEASE)
    assert claim is not None
    info = queue.release(claim)
    assert (info.status, info.attempts) == (JobStatus.QUEUED, 0)
    again = queue.claim("w", {"k"}, LEASE)
    assert again is not None
    assert (again.job_id, again.attempt) == (job_id, 1)


def test_list_filters_and_orders_newest_first(queue: SqliteJobQueue) -> None:
    a = queue.submit("scan", {})
    b = queue.submit("sync", {})
    c = queue.submit("scan", {})
    queue.cancel(b)
    assert [j.id for j in queue.list()] == [c, b, a]
    assert [j.id for j in queue.list(kind="scan")] == [c, a]
    assert [j.id for j in queue.list(status=JobStatus.CANCELLED)] == [b]
    assert [j.id for j in queue.list(status=[JobStatus.QUEUED], kind="scan", limit=1)] == [c]
    assert queue.list(kind="report") == []


def test_purge_deletes_only_old_finished_jobs(queue: SqliteJobQueue, clock: FakeClock) -> None:
    old = queue.submit("k", {})
    queue.cancel(old)
    clock.advance(timedelta(days=8))
    live = queue.submit("k", {})
    assert queue.purge(clock() - timedelta(days=7)) == 1
    assert [j.id for j in queue.list()] == [live]


@pytest.mark.parametrize(
    ("kind", "payload", "options"),
    [
        ("", {}, {}),
        ("x" * 201, {}, {}),
        ("bad\nkind", {}, {}),
        ("k", ["not", "an", "object"], {}),
        ("k", {"n": float("nan")}, {}),
        ("k", {"o": object()}, {}),
        ("k", {"big": "x" * (16 << 20)}, {}),
        ("k", {}, {"key": ""}),
        ("k", {}, {"key": "k" * 501}),
        ("k", {}, {"priority": 1 << 40}),
        ("k", {}, {"priority": True}),
        ("k", {}, {"max_attempts": 0}),
        ("k", {}, {"max_attempts": 1001}),
        ("k", {}, {"run_after": T0.replace(tzinfo=None)}),
    ],
)
def test_unusable_submissions_are_refused_and_store_nothing(
    queue: SqliteJobQueue, kind: str, payload: object, options: dict[str, object]
) -> None:
    with pytest.raises(InvalidJob):
        queue.submit(kind, payload, **options)  # type: ignore[arg-type]
    assert queue.list() == []


def test_payload_is_stored_as_given_including_hostile_text(queue: SqliteJobQueue) -> None:
    payload: dict[str, JSONValue] = {
        "name": "'; DROP TABLE jobs; --",
        "nested": {"ü": [None, True, -1]},
    }
    job_id = queue.submit("k'); --", payload)
    info = queue.get(job_id)
    assert (info.kind, info.payload) == ("k'); --", payload)


def test_a_file_that_is_not_a_job_file_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(JobFileError):
        SqliteJobQueue(other)

    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database at all" * 100)
    with pytest.raises(JobFileError):
        SqliteJobQueue(garbage)


def test_a_job_file_from_a_newer_schema_is_refused(jobs_file: Path) -> None:
    SqliteJobQueue(jobs_file).close()
    with sqlite3.connect(jobs_file) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(JobFileError, match="newer"):
        SqliteJobQueue(jobs_file)


def test_ids_come_from_the_injected_factory(jobs_file: Path, clock: FakeClock) -> None:
    q = SqliteJobQueue(jobs_file, clock=clock, new_id=sequential_ids("x"))
    try:
        assert [q.submit("k", {}) for _ in range(2)] == ["x-0001", "x-0002"]
    finally:
        q.close()


@pytest.mark.parametrize(("setting", "pragma"), [("NORMAL", 1), ("FULL", 2)])
def test_durability_is_chosen_explicitly(jobs_file: Path, setting: str, pragma: int) -> None:
    q = SqliteJobQueue(jobs_file, synchronous=setting)
    try:
        q.submit("k", {})
        assert q._conn.execute("PRAGMA synchronous").fetchone()[0] == pragma
        assert q._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        q.close()
    with pytest.raises(ValueError, match="synchronous"):
        SqliteJobQueue(jobs_file, synchronous="OFF")
