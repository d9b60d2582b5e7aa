"""Schedule times in the job file, beside the jobs they queue (``ScheduleStore``).

Sharing the file is what makes firing atomic: the run's job row and the schedule's new next run
time are written in one transaction.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from vigil.jobs.model import JobId
from vigil.jobs.schedule import Schedule, ScheduleState
from vigil.jobs.sqlite_queue import SqliteJobQueue
from vigil.jobs.sqlite_schema import from_us, to_us

_MICRO = timedelta(microseconds=1)


class SqliteScheduleStore:
    def __init__(self, queue: SqliteJobQueue) -> None:
        self.queue = queue

    def register(self, schedule: Schedule, now: datetime) -> ScheduleState:
        interval = schedule.interval // _MICRO
        with self.queue.transaction() as conn:
            row = conn.execute(
                "SELECT interval_us, next_run_at, last_run_at FROM schedules WHERE name = ?",
                (schedule.name,),
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO schedules (name, interval_us, next_run_at) VALUES (?, ?, ?)",
                    (schedule.name, interval, to_us(now + schedule.first_delay)),
                )
            elif row[0] != interval:
                # A shorter interval may bring the next run earlier; a longer one never makes a
                # run that is already due wait longer than the old interval would have.
                anchor = row[2] if row[2] is not None else to_us(now)
                conn.execute(
                    "UPDATE schedules SET interval_us = ?, next_run_at = ? WHERE name = ?",
                    (interval, min(row[1], anchor + interval), schedule.name),
                )
        state = self.state(schedule.name)
        assert state is not None  # written just above
        return state

    def state(self, name: str) -> ScheduleState | None:
        rows = self.queue.read(
            "SELECT interval_us, next_run_at, last_run_at, last_job_id FROM schedules"
            " WHERE name = ?",
            (name,),
        )
        if not rows:
            return None
        row = rows[0]
        return ScheduleState(
            name=name,
            interval=row[0] * _MICRO,
            next_run_at=from_us(row[1]),
            last_run_at=None if row[2] is None else from_us(row[2]),
            last_job_id=None if row[3] is None else JobId(row[3]),
        )

    def fire(
        self, schedule: Schedule, due: datetime, next_run_at: datetime, now: datetime
    ) -> JobId | None:
        with self.queue.transaction() as conn:
            moved = conn.execute(
                "UPDATE schedules SET next_run_at = ?, last_run_at = ?"
                " WHERE name = ? AND next_run_at = ?",
                (to_us(next_run_at), to_us(now), schedule.name, to_us(due)),
            ).rowcount
            if moved != 1:
                return None
            job_id = self._queue_run(conn, schedule)
            conn.execute(
                "UPDATE schedules SET last_job_id = ? WHERE name = ?", (job_id, schedule.name)
            )
            return job_id

    def trigger(self, schedule: Schedule, now: datetime) -> JobId:
        with self.queue.transaction() as conn:
            job_id = self._queue_run(conn, schedule)
            conn.execute(
                "UPDATE schedules SET last_job_id = ? WHERE name = ?", (job_id, schedule.name)
            )
            return job_id

    def _queue_run(self, conn: sqlite3.Connection, schedule: Schedule) -> JobId:
        return self.queue.insert(
            conn,
            schedule.kind,
            schedule.payload,
            key=schedule.key,
            run_after=None,
            priority=schedule.priority,
            max_attempts=None,
        )
