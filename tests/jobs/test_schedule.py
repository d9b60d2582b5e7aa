"""Schedules: persisted next runs, so a restart neither skips nor doubles; on-demand runs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.jobs.conftest import T0, FakeClock, sequential_ids, wait_until
from vigil.jobs import (
    EmbeddedBackend,
    HandlerRegistry,
    JobContext,
    JobStatus,
    JSONValue,
    RunnerSettings,
    Schedule,
    Scheduler,
    SqliteJobQueue,
    SqliteScheduleStore,
)
from vigil.jobs.schedule import next_after

HOUR = timedelta(hours=1)
SYNC = Schedule("advisory-sync", HOUR, "sync", {"sources": ["osv"]}, priority=5)


def _scheduler(
    jobs_file: Path, clock: FakeClock, *schedules: Schedule, ids: str = "job"
) -> Scheduler:
    queue = SqliteJobQueue(jobs_file, clock=clock, new_id=sequential_ids(ids))
    return Scheduler(SqliteScheduleStore(queue), schedules or (SYNC,), clock=clock)


def _finish_all(queue: SqliteJobQueue) -> None:
    while (claim := queue.claim("w", {"sync", "report"}, timedelta(minutes=1))) is not None:
        queue.succeed(claim, None)


def test_a_new_schedule_fires_at_once_then_every_interval(
    jobs_file: Path, clock: FakeClock
) -> None:
    scheduler = _scheduler(jobs_file, clock)
    first = scheduler.tick()
    assert len(first) == 1
    store = scheduler.store
    assert isinstance(store, SqliteScheduleStore)
    info = store.queue.get(first[0])
    assert (info.kind, info.payload, info.priority, info.key) == (
        "sync",
        {"sources": ["osv"]},
        5,
        "schedule:advisory-sync",
    )
    _finish_all(store.queue)

    clock.advance(timedelta(minutes=59))
    assert scheduler.tick() == []
    clock.advance(timedelta(minutes=1))
    assert len(scheduler.tick()) == 1
    state = scheduler.states()[0]
    assert (state.next_run_at, state.last_run_at) == (T0 + 2 * HOUR, T0 + HOUR)


def test_a_restart_neither_doubles_nor_skips_a_run(jobs_file: Path, clock: FakeClock) -> None:
    before = _scheduler(jobs_file, clock)
    assert len(before.tick()) == 1
    store = before.store
    assert isinstance(store, SqliteScheduleStore)
    _finish_all(store.queue)
    store.queue.close()

    # Restarted half-way through the interval: nothing is due, nothing fires again.
    clock.advance(timedelta(minutes=30))
    after = _scheduler(jobs_file, clock, ids="second")
    assert after.tick() == []
    assert after.states()[0].next_run_at == T0 + HOUR

    # Down over the due time: the run that was due fires on the first tick after the restart.
    clock.advance(timedelta(minutes=45))
    again = _scheduler(jobs_file, clock, ids="third")
    fired = again.tick()
    assert len(fired) == 1
    assert again.tick() == []
    assert again.states()[0].next_run_at == T0 + 2 * HOUR


def test_missed_runs_are_coalesced_onto_the_original_grid(
    jobs_file: Path, clock: FakeClock
) -> None:
    scheduler = _scheduler(jobs_file, clock)
    scheduler.tick()
    clock.advance(timedelta(hours=5, minutes=20))
    fired = scheduler.tick()
    assert len(fired) == 1
    assert scheduler.states()[0].next_run_at == T0 + 6 * HOUR


def test_two_schedulers_on_one_file_fire_a_run_once(jobs_file: Path, clock: FakeClock) -> None:
    a = _scheduler(jobs_file, clock)
    b = _scheduler(jobs_file, clock, ids="b")
    a.register()
    b.register()
    # b read the state before a fired: its guarded write must find the time already moved.
    store_b = b.store
    state = store_b.state(SYNC.name)
    assert state is not None
    assert len(a.tick()) == 1
    assert store_b.fire(SYNC, state.next_run_at, state.next_run_at + HOUR, clock()) is None


def test_trigger_now_runs_on_demand_and_joins_a_pending_run(
    jobs_file: Path, clock: FakeClock
) -> None:
    scheduler = _scheduler(jobs_file, clock)
    scheduler.register()
    clock.advance(timedelta(minutes=1))
    [scheduled] = scheduler.tick()
    assert scheduler.trigger_now(SYNC.name) == scheduled  # one sync queued is enough

    store = scheduler.store
    assert isinstance(store, SqliteScheduleStore)
    _finish_all(store.queue)
    clock.advance(timedelta(minutes=10))
    on_demand = scheduler.trigger_now(SYNC.name)
    assert on_demand != scheduled
    assert store.queue.get(on_demand).status is JobStatus.QUEUED
    # The regular run keeps its time.
    assert scheduler.states()[0].next_run_at == T0 + HOUR
    with pytest.raises(KeyError):
        scheduler.trigger_now("nope")


def test_a_changed_interval_can_only_bring_the_next_run_earlier(
    jobs_file: Path, clock: FakeClock
) -> None:
    daily = Schedule("report", timedelta(days=1), "report")
    scheduler = _scheduler(jobs_file, clock, daily)
    scheduler.tick()
    clock.advance(HOUR)
    halfhourly = Schedule("report", timedelta(minutes=30), "report")
    faster = _scheduler(jobs_file, clock, halfhourly, ids="second")
    faster.register()
    assert faster.states()[0].next_run_at == T0 + timedelta(minutes=30)
    assert len(faster.tick()) == 1


def test_first_delay_postpones_only_the_first_run(jobs_file: Path, clock: FakeClock) -> None:
    later = Schedule("report", HOUR, "report", first_delay=timedelta(minutes=10))
    scheduler = _scheduler(jobs_file, clock, later)
    assert scheduler.tick() == []
    clock.advance(timedelta(minutes=10))
    assert len(scheduler.tick()) == 1
    assert scheduler.states()[0].next_run_at == T0 + timedelta(minutes=10) + HOUR


def test_next_after_stays_on_the_grid() -> None:
    assert next_after(T0, HOUR, T0 - timedelta(minutes=5)) == T0 + HOUR
    assert next_after(T0, HOUR, T0) == T0 + HOUR
    assert next_after(T0, HOUR, T0 + timedelta(hours=3)) == T0 + 4 * HOUR
    assert next_after(T0, HOUR, T0 + timedelta(hours=3, seconds=1)) == T0 + 4 * HOUR


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "", "interval": HOUR, "kind": "k"},
        {"name": "n", "interval": timedelta(0), "kind": "k"},
        {"name": "n", "interval": HOUR, "kind": ""},
        {"name": "n", "interval": HOUR, "kind": "k", "payload": {"x": float("inf")}},
        {"name": "n", "interval": HOUR, "kind": "k", "first_delay": -HOUR},
    ],
)
def test_invalid_schedules_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - InvalidJob is a ValueError too
        Schedule(**bad)  # type: ignore[arg-type]


def test_the_embedded_backend_runs_its_schedules_with_threads(jobs_file: Path) -> None:
    runs: list[str] = []

    def sync(ctx: JobContext) -> JSONValue:
        runs.append(ctx.job_id)
        return len(runs)

    registry = HandlerRegistry({"sync": sync})
    settings = RunnerSettings(workers=1, poll_interval=0.05)
    with EmbeddedBackend(jobs_file, registry, settings, schedules=[SYNC]) as backend:
        backend.start()
        wait_until(lambda: len(runs) == 1)
        on_demand = backend.trigger_now(SYNC.name)
        wait_until(lambda: backend.get(on_demand).status is JobStatus.SUCCEEDED)
        assert runs[-1] == on_demand
        assert backend.stop(5)
    # The hourly schedule did not fire again within the test, and its time was persisted.
    with EmbeddedBackend(jobs_file, registry, settings, schedules=[SYNC]) as backend:
        [state] = backend.scheduler.states()
        assert state.next_run_at > state.last_run_at  # type: ignore[operator]
        assert len(runs) == 2
