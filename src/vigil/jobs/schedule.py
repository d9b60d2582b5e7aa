"""Recurring schedules: every ``interval``, submit a job of ``kind`` with ``payload``.

Each schedule's next run time is persisted (``ScheduleStore``), and firing a run is one atomic
step: the job is queued and the next run time advanced together, guarded by the next run time
the scheduler read. So a restart neither skips a run that was due (it fires on the first tick)
nor doubles one (a fired run has already moved the time forward), and two schedulers on one
store cannot both fire the same run.

Missed runs are coalesced: after a long stop, a schedule fires once, and its next run is the
first time on its original grid (``next + k × interval``) after now. A scheduled run and
``trigger_now`` share the de-duplication key ``schedule:<name>``, so while one run is queued or
running another request joins it instead of piling up (two advisory syncs at once gain nothing).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from vigil.jobs.model import Clock, JobId, JSONValue, check_kind, encode_payload, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Schedule:
    name: str
    interval: timedelta
    kind: str
    payload: Mapping[str, JSONValue] = field(default_factory=dict)
    priority: int = 0
    first_delay: timedelta = timedelta(0)  # wait before the very first run of a new schedule

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > 200 or not self.name.isprintable():
            raise ValueError("a schedule name is a printable string of 1..200 characters")
        if self.interval < timedelta(seconds=1):
            raise ValueError("a schedule interval is at least one second")
        if self.first_delay < timedelta(0):
            raise ValueError("first_delay cannot be negative")
        check_kind(self.kind)
        encode_payload(self.payload)

    @property
    def key(self) -> str:
        return f"schedule:{self.name}"


@dataclass(frozen=True, slots=True)
class ScheduleState:
    name: str
    interval: timedelta
    next_run_at: datetime
    last_run_at: datetime | None
    last_job_id: JobId | None


class ScheduleStore(Protocol):
    def register(self, schedule: Schedule, now: datetime) -> ScheduleState:
        """Persist a schedule if new (first run at ``now + first_delay``); when its interval
        changed, keep the stored time unless the new interval brings the run earlier."""
        ...

    def state(self, name: str) -> ScheduleState | None: ...

    def fire(
        self, schedule: Schedule, due: datetime, next_run_at: datetime, now: datetime
    ) -> JobId | None:
        """Atomically: if the stored next run is still ``due``, queue the run (key
        ``schedule.key``) and store ``next_run_at``. None when another scheduler fired it."""
        ...

    def trigger(self, schedule: Schedule, now: datetime) -> JobId:
        """Queue a run now (key ``schedule.key``) without moving the next run."""
        ...


def next_after(due: datetime, interval: timedelta, now: datetime) -> datetime:
    """The first time on the grid ``due + k × interval`` (k ≥ 1) that is after ``now``."""
    if now < due:
        return due + interval
    missed = (now - due) // interval
    return due + (missed + 1) * interval


class Scheduler:
    def __init__(
        self,
        store: ScheduleStore,
        schedules: Sequence[Schedule],
        *,
        clock: Clock = utcnow,
        poll_interval: float = 1.0,
        on_submit: Callable[[], None] | None = None,
    ) -> None:
        names = [schedule.name for schedule in schedules]
        if len(set(names)) != len(names):
            raise ValueError("schedule names must be unique")
        self.store = store
        self.schedules = {schedule.name: schedule for schedule in schedules}
        self.clock = clock
        self.poll_interval = poll_interval
        self._on_submit = on_submit
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._registered = False

    def register(self) -> list[ScheduleState]:
        now = self.clock()
        states = [self.store.register(schedule, now) for schedule in self.schedules.values()]
        self._registered = True
        return states

    def tick(self) -> list[JobId]:
        """Fire every schedule that is due; returns the jobs queued."""
        if not self._registered:
            self.register()
        now = self.clock()
        fired: list[JobId] = []
        for schedule in self.schedules.values():
            state = self.store.state(schedule.name)
            if state is None or state.next_run_at > now:
                continue
            following = next_after(state.next_run_at, schedule.interval, now)
            job_id = self.store.fire(schedule, state.next_run_at, following, now)
            if job_id is not None:
                fired.append(job_id)
        if fired and self._on_submit is not None:
            self._on_submit()
        return fired

    def trigger_now(self, name: str) -> JobId:
        """Run schedule ``name`` now, on demand; its regular runs keep their times."""
        schedule = self.schedules.get(name)
        if schedule is None:
            raise KeyError(f"no schedule named {name!r}")
        if not self._registered:
            self.register()
        job_id = self.store.trigger(schedule, self.clock())
        if self._on_submit is not None:
            self._on_submit()
        return job_id

    def states(self) -> list[ScheduleState]:
        found = (self.store.state(name) for name in self.schedules)
        return [state for state in found if state is not None]

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("scheduler already started")
        self.register()
        if not self.schedules:
            return  # nothing would ever be due: no thread
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="job-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # a locked file must not end the schedules; try again later
                log.exception("schedule tick failed")
            self._stop.wait(self._sleep())

    def _sleep(self) -> float:
        now = self.clock()
        upcoming = [state.next_run_at for state in self.states()]
        if not upcoming:
            return self.poll_interval
        return max(0.01, min(self.poll_interval, (min(upcoming) - now).total_seconds()))
