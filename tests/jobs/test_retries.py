"""Failures: retries after an exponential backoff measured on the injected clock, then FAILED."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.jobs.conftest import T0, FakeClock
from vigil.jobs import (
    Backoff,
    HandlerRegistry,
    JobContext,
    JobStatus,
    JSONValue,
    PermanentError,
    Runner,
    RunnerSettings,
    SqliteJobQueue,
)

NO_JITTER = Backoff(initial=timedelta(seconds=10), factor=3, maximum=timedelta(minutes=2), jitter=0)


class Flaky:
    """Fails the first ``failures`` calls, then returns the attempt number."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[int] = []

    def __call__(self, ctx: JobContext) -> JSONValue:
        self.calls.append(ctx.attempt)
        if len(self.calls) <= self.failures:
            raise ConnectionError(f"registry unreachable (call {len(self.calls)})")
        return {"attempt": ctx.attempt}


def _runner(queue: SqliteJobQueue, clock: FakeClock, **handlers: object) -> Runner:
    registry = HandlerRegistry(handlers)  # type: ignore[arg-type]
    return Runner(queue, registry, RunnerSettings(backoff=NO_JITTER), clock=clock)


def test_backoff_grows_by_factor_up_to_the_cap() -> None:
    delays = [NO_JITTER.delay("j", attempt).total_seconds() for attempt in range(1, 6)]
    assert delays == [10, 30, 90, 120, 120]
    assert NO_JITTER.delay("j", 10_000) == timedelta(minutes=2)


def test_jitter_is_bounded_and_reproducible() -> None:
    backoff = Backoff(initial=timedelta(seconds=100), jitter=0.5)
    delays = {backoff.delay(f"job-{n}", 1) for n in range(50)}
    assert all(timedelta(seconds=100) <= d <= timedelta(seconds=150) for d in delays)
    assert len(delays) > 40  # spread, not one value
    assert backoff.delay("job-7", 1) == backoff.delay("job-7", 1)


def test_a_failing_job_is_retried_after_each_backoff_then_succeeds(
    queue: SqliteJobQueue, clock: FakeClock
) -> None:
    flaky = Flaky(failures=2)
    runner = _runner(queue, clock, fetch=flaky)
    job_id = queue.submit("fetch", {}, max_attempts=5)

    assert runner.run_until_idle() == 1
    info = queue.get(job_id)
    assert (info.status, info.attempts) == (JobStatus.QUEUED, 1)
    assert info.run_after == T0 + timedelta(seconds=10)
    assert info.error is not None
    assert "ConnectionError: registry unreachable (call 1)" in info.error

    # Not before its time, by the injected clock.
    clock.advance(timedelta(seconds=9))
    assert runner.run_until_idle() == 0
    clock.advance(timedelta(seconds=1))
    assert runner.run_until_idle() == 1
    info = queue.get(job_id)
    assert info.run_after == clock() + timedelta(seconds=30)

    clock.advance(timedelta(seconds=30))
    assert runner.run_until_idle() == 1
    info = queue.get(job_id)
    assert (info.status, info.attempts, info.result) == (JobStatus.SUCCEEDED, 3, {"attempt": 3})
    assert flaky.calls == [1, 2, 3]
    assert info.error is not None  # the last failure is kept for diagnosis
    assert "call 2" in info.error


def test_a_job_that_keeps_failing_ends_failed_with_its_error(
    queue: SqliteJobQueue, clock: FakeClock
) -> None:
    flaky = Flaky(failures=100)
    runner = _runner(queue, clock, fetch=flaky)
    job_id = queue.submit("fetch", {}, max_attempts=3)
    for _ in range(3):
        assert runner.run_until_idle() == 1
        clock.advance(timedelta(minutes=5))
    assert runner.run_until_idle() == 0
    info = queue.get(job_id)
    assert (info.status, info.attempts) == (JobStatus.FAILED, 3)
    assert info.error is not None
    assert info.error.endswith("ConnectionError: registry unreachable (call 3)")
    assert info.finished_at == T0 + timedelta(minutes=10)


def test_a_permanent_error_is_not_retried(queue: SqliteJobQueue, clock: FakeClock) -> None:
    def bad_payload(ctx: JobContext) -> JSONValue:
        raise PermanentError(f"no such resource {ctx.payload['resource']}")

    runner = _runner(queue, clock, scan=bad_payload)
    job_id = queue.submit("scan", {"resource": "r-1"})
    runner.run_until_idle()
    info = queue.get(job_id)
    assert (info.status, info.attempts) == (JobStatus.FAILED, 1)
    assert info.error is not None
    assert info.error.endswith("PermanentError: no such resource r-1")


def test_a_result_that_is_not_json_fails_the_job(queue: SqliteJobQueue, clock: FakeClock) -> None:
    runner = _runner(queue, clock, report=lambda ctx: {"at": T0})
    job_id = queue.submit("report", {})
    runner.run_until_idle()
    info = queue.get(job_id)
    assert info.status is JobStatus.FAILED
    assert info.error is not None
    assert "not JSON" in info.error


def test_a_job_of_an_unregistered_kind_is_not_claimed(
    queue: SqliteJobQueue, clock: FakeClock
) -> None:
    runner = _runner(queue, clock, scan=lambda ctx: None)
    other = queue.submit("unknown", {})
    assert runner.run_until_idle() == 0
    assert queue.get(other).status is JobStatus.QUEUED


def test_a_huge_error_is_clipped_to_its_end(queue: SqliteJobQueue, clock: FakeClock) -> None:
    def noisy(ctx: JobContext) -> JSONValue:
        raise PermanentError("x" * 100_000 + " the end")

    runner = _runner(queue, clock, noisy=noisy)
    job_id = queue.submit("noisy", {})
    runner.run_until_idle()
    error = queue.get(job_id).error
    assert error is not None
    assert len(error) == 8000
    assert error.endswith(" the end")


@pytest.mark.parametrize(
    "bad",
    [
        {"initial": timedelta(seconds=-1)},
        {"initial": timedelta(seconds=10), "maximum": timedelta(seconds=5)},
        {"factor": 0.5},
        {"jitter": 2.0},
    ],
)
def test_invalid_backoffs_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="backoff"):
        Backoff(**bad)  # type: ignore[arg-type]
