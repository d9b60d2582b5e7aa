"""The persistent queue of the embedded backend: both sides of the job interface on one file.

Every state change is one SQLite transaction, so a process killed at any instant leaves each job
either before or after a change, never between. Several processes may share a file (SQLite's
locks serialise the writers); ``EmbeddedBackend`` normally keeps workers to one process.

Durability: with ``synchronous=NORMAL`` (the default, as for the service database) a committed
change survives the death of the process, SIGKILL included, but the last commits may be lost to
a power cut; ``FULL`` also survives that, at the price of an fsync per change (a few hundred jobs
a second on an ordinary disk instead of thousands; benchmarks/jobs.py measures both).
"""

from __future__ import annotations

import builtins
import json
import sqlite3
import threading
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from vigil.jobs.model import (
    Claim,
    Clock,
    InvalidJob,
    JobId,
    JobInfo,
    JobNotFound,
    JobStatus,
    JSONValue,
    LeaseLost,
    Payload,
    check_attempts,
    check_key,
    check_kind,
    check_priority,
    clip_error,
    encode_payload,
    encode_result,
    utcnow,
)
from vigil.jobs.sqlite_schema import COLUMNS, connect, row_info, to_us

DEFAULT_MAX_ATTEMPTS = 5
MAX_LIST = 1000


def new_job_id() -> str:
    return uuid.uuid4().hex


class SqliteJobQueue:
    """``JobQueue`` and ``WorkerQueue`` over a job file; safe to share between threads."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Clock = utcnow,
        new_id: Callable[[], str] = new_job_id,
        default_max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        synchronous: str = "NORMAL",
    ) -> None:
        if default_max_attempts < 1:
            raise ValueError("default_max_attempts must be at least 1")
        self.path = path
        self.clock = clock
        self._new_id = new_id
        self._default_max_attempts = default_max_attempts
        # One writing connection behind a lock: SQLite has one writer at a time anyway, and a
        # shared connection never meets its own process's locks. Reads go through a second
        # one, so that under WAL they never wait for a commit's fsync.
        self._conn = connect(path, synchronous=synchronous)
        self._lock = threading.RLock()
        self._reader = connect(path, synchronous=synchronous)
        self._read_lock = threading.Lock()

    def close(self) -> None:
        with self._lock, self._read_lock:
            self._conn.close()
            self._reader.close()

    def read(self, sql: str, args: Sequence[Any]) -> builtins.list[tuple[Any, ...]]:
        """One query on the reading connection (never waits for a commit in this process)."""
        with self._read_lock:
            return self._reader.execute(sql, args).fetchall()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction (write lock taken up front, so no upgrade deadlock)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # -- JobQueue ---------------------------------------------------------------------------

    def submit(
        self,
        kind: str,
        payload: Payload,
        *,
        key: str | None = None,
        run_after: datetime | None = None,
        priority: int = 0,
        max_attempts: int | None = None,
    ) -> JobId:
        with self.transaction() as conn:
            return self.insert(
                conn,
                kind,
                payload,
                key=key,
                run_after=run_after,
                priority=priority,
                max_attempts=max_attempts,
            )

    def insert(
        self,
        conn: sqlite3.Connection,
        kind: str,
        payload: Payload,
        *,
        key: str | None,
        run_after: datetime | None,
        priority: int,
        max_attempts: int | None,
    ) -> JobId:
        """``submit`` inside the caller's transaction (the scheduler fires a run this way)."""
        check_kind(kind)
        check_key(key)
        text = encode_payload(payload)
        check_priority(priority)
        attempts = check_attempts(
            self._default_max_attempts if max_attempts is None else max_attempts
        )
        if key is not None:
            row = conn.execute(
                "SELECT id FROM jobs WHERE key = ? AND status IN ('QUEUED', 'RUNNING')", (key,)
            ).fetchone()
            if row:
                return JobId(row[0])
        now = to_us(self.clock())
        try:
            after = now if run_after is None else to_us(run_after)
        except ValueError as exc:
            raise InvalidJob(str(exc)) from exc
        job_id = JobId(self._new_id())
        conn.execute(
            "INSERT INTO jobs (id, kind, payload, key, status, priority, attempts, max_attempts,"
            " created_at, run_after, updated_at) VALUES (?, ?, ?, ?, 'QUEUED', ?, 0, ?, ?, ?, ?)",
            (job_id, kind, text, key, priority, attempts, now, after, now),
        )
        return job_id

    def get(self, job_id: JobId) -> JobInfo:
        rows = self.read(f"SELECT {COLUMNS} FROM jobs WHERE id = ?", (job_id,))
        if not rows:
            raise JobNotFound(job_id)
        return row_info(rows[0])

    def cancel(self, job_id: JobId) -> JobInfo:
        now = to_us(self.clock())
        with self.transaction() as conn:
            row = conn.execute("SELECT status FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                raise JobNotFound(job_id)
            if row[0] == JobStatus.QUEUED:
                conn.execute(
                    "UPDATE jobs SET status = 'CANCELLED', cancel_requested = 1,"
                    " finished_at = ?, updated_at = ? WHERE id = ?",
                    (now, now, job_id),
                )
            elif row[0] == JobStatus.RUNNING:
                conn.execute(
                    "UPDATE jobs SET cancel_requested = 1, updated_at = ? WHERE id = ?",
                    (now, job_id),
                )
        return self.get(job_id)

    def list(
        self,
        *,
        status: JobStatus | Collection[JobStatus] | None = None,
        kind: str | None = None,
        limit: int = 100,
    ) -> list[JobInfo]:
        where: list[str] = []
        args: list[Any] = []
        if status is not None:
            statuses = [status] if isinstance(status, str) else list(status)
            where.append(f"status IN ({', '.join('?' * len(statuses))})")
            args.extend(JobStatus(s).value for s in statuses)
        if kind is not None:
            where.append("kind = ?")
            args.append(kind)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        args.append(max(0, min(limit, MAX_LIST)))
        rows = self.read(f"SELECT {COLUMNS} FROM jobs {clause} ORDER BY seq DESC LIMIT ?", args)
        return [row_info(row) for row in rows]

    def purge(self, finished_before: datetime) -> int:
        """Delete finished jobs older than ``finished_before``; returns how many."""
        with self.transaction() as conn:
            cursor = conn.execute(
                "DELETE FROM jobs WHERE status IN ('SUCCEEDED', 'FAILED', 'CANCELLED')"
                " AND finished_at < ?",
                (to_us(finished_before),),
            )
            return cursor.rowcount

    # -- WorkerQueue ------------------------------------------------------------------------

    def claim(self, worker: str, kinds: Collection[str], lease: timedelta) -> Claim | None:
        kinds = sorted(set(kinds))
        if not kinds:
            return None
        now = self.clock()
        expires = now + lease
        # INDEXED BY: without statistics the planner prefers jobs_kind and walks every finished
        # job of the kind; the ready index is already in claim order, so the first hit is it.
        ready = (
            "SELECT seq FROM jobs INDEXED BY jobs_ready WHERE status = 'QUEUED' AND run_after <= ?"
            f" AND kind IN ({', '.join('?' * len(kinds))}) ORDER BY priority DESC, seq LIMIT 1"
        )
        # Idle workers poll: look before taking the write lock, which the look does not need.
        if not self.read(ready, (to_us(now), *kinds)):
            return None
        token = f"{worker}/{uuid.uuid4().hex}"
        with self.transaction() as conn:
            row = conn.execute(
                "UPDATE jobs SET status = 'RUNNING', attempts = attempts + 1, lease_token = ?,"
                " lease_expires_at = ?, started_at = ?, updated_at = ?"
                f" WHERE seq = ({ready}) RETURNING id, kind, payload, attempts, max_attempts",
                (token, to_us(expires), to_us(now), to_us(now), to_us(now), *kinds),
            ).fetchone()
        if row is None:
            return None
        return Claim(
            job_id=JobId(row[0]),
            kind=row[1],
            payload=json.loads(row[2]),
            attempt=row[3],
            max_attempts=row[4],
            token=token,
            lease_expires_at=expires,
        )

    def heartbeat(self, claim: Claim, lease: timedelta) -> bool:
        now = self.clock()
        with self.transaction() as conn:
            row = conn.execute(
                "UPDATE jobs SET lease_expires_at = ?, updated_at = ?"
                " WHERE id = ? AND lease_token = ? AND status = 'RUNNING'"
                " RETURNING cancel_requested",
                (to_us(now + lease), to_us(now), claim.job_id, claim.token),
            ).fetchone()
        return row is not None and not row[0]

    def succeed(self, claim: Claim, result: JSONValue) -> JobInfo:
        text = encode_result(result)
        now = to_us(self.clock())
        return self._finish(
            claim,
            "status = 'SUCCEEDED', result = ?, finished_at = ?",
            (text, now),
            now,
        )

    def fail(self, claim: Claim, error: str, retry_at: datetime | None) -> JobInfo:
        now = to_us(self.clock())
        error = clip_error(error)
        retry = None if retry_at is None else to_us(retry_at)
        return self._finish(
            claim,
            "status = CASE WHEN cancel_requested THEN 'CANCELLED'"
            " WHEN ? IS NOT NULL AND attempts < max_attempts THEN 'QUEUED' ELSE 'FAILED' END,"
            " run_after = CASE WHEN ? IS NOT NULL THEN ? ELSE run_after END,"
            " error = ?, finished_at = CASE WHEN cancel_requested OR ? IS NULL"
            " OR attempts >= max_attempts THEN ? END",
            (retry, retry, retry, error, retry, now),
            now,
        )

    def release(self, claim: Claim) -> JobInfo:
        now = to_us(self.clock())
        return self._finish(
            claim,
            "status = CASE WHEN cancel_requested THEN 'CANCELLED' ELSE 'QUEUED' END,"
            " attempts = attempts - 1, finished_at = CASE WHEN cancel_requested THEN ? END",
            (now,),
            now,
        )

    def _finish(self, claim: Claim, assignments: str, args: tuple[Any, ...], now: int) -> JobInfo:
        with self.transaction() as conn:
            row = conn.execute(
                f"UPDATE jobs SET {assignments}, lease_token = NULL, lease_expires_at = NULL,"
                " updated_at = ? WHERE id = ? AND lease_token = ? AND status = 'RUNNING'"
                f" RETURNING {COLUMNS}",
                (*args, now, claim.job_id, claim.token),
            ).fetchone()
        if row is None:
            raise LeaseLost(claim.job_id)
        return row_info(row)

    def recover(self, *, all_running: bool) -> builtins.list[JobId]:
        now = to_us(self.clock())
        condition = "" if all_running else " AND lease_expires_at <= ?"
        with self.transaction() as conn:
            rows = conn.execute(
                "UPDATE jobs SET"
                " status = CASE WHEN cancel_requested THEN 'CANCELLED'"
                " WHEN attempts >= max_attempts THEN 'FAILED' ELSE 'QUEUED' END,"
                " error = 'worker lost during attempt ' || attempts || ' of ' || max_attempts,"
                " finished_at = CASE WHEN cancel_requested OR attempts >= max_attempts"
                " THEN ? END, run_after = ?, lease_token = NULL, lease_expires_at = NULL,"
                f" updated_at = ? WHERE status = 'RUNNING'{condition} RETURNING id",
                (now, now, now) + (() if all_running else (now,)),
            ).fetchall()
        return [JobId(row[0]) for row in rows]
