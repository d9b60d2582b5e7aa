"""The embedded job file: its schema, version stamp, how it is opened and how a row is read.

The jobs room keeps its own SQLite file (``jobs.sqlite`` in the data directory) rather than a
table in the service database, so the room depends on nothing but the standard library and a
service on PostgreSQL still runs its embedded queue locally. The file names itself with
``PRAGMA application_id`` and carries its schema version in ``PRAGMA user_version``; any other
file is refused rather than written into.

Times are integers, microseconds since the Unix epoch in UTC: exact, and compared by SQLite as
numbers.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from vigil.jobs.model import JobError, JobId, JobInfo, JobStatus

SCHEMA_VERSION = 1
APPLICATION_ID = 0x56474C4A  # "VGLJ"

# seq orders submissions (FIFO within a priority). The partial unique index on ``key`` is the
# de-duplication rule itself: two live jobs with one key cannot both exist, whatever process
# inserts them. jobs_ready serves the claim query, jobs_running the recovery of expired leases.
# lease_token is set per claim; only its holder may record the outcome.
_DDL = """
CREATE TABLE jobs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    key TEXT,
    status TEXT NOT NULL,
    priority INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    max_attempts INTEGER NOT NULL,
    error TEXT,
    result TEXT,
    created_at INTEGER NOT NULL,
    run_after INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    updated_at INTEGER NOT NULL,
    lease_token TEXT,
    lease_expires_at INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX jobs_live_key ON jobs (key)
    WHERE key IS NOT NULL AND status IN ('QUEUED', 'RUNNING');
CREATE INDEX jobs_ready ON jobs (priority DESC, seq) WHERE status = 'QUEUED';
CREATE INDEX jobs_running ON jobs (lease_expires_at) WHERE status = 'RUNNING';
CREATE INDEX jobs_status ON jobs (status, seq);
CREATE INDEX jobs_kind ON jobs (kind, seq);
CREATE TABLE schedules (
    name TEXT PRIMARY KEY,
    interval_us INTEGER NOT NULL,
    next_run_at INTEGER NOT NULL,
    last_run_at INTEGER,
    last_job_id TEXT
) WITHOUT ROWID;
"""

COLUMNS = (
    "id, kind, payload, status, key, priority, attempts, max_attempts, error, result, "
    "created_at, run_after, started_at, finished_at, updated_at, cancel_requested"
)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


class JobFileError(JobError):
    """The file is not a Vigil job file, or comes from a newer Vigil."""


def to_us(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("job times must be timezone-aware")
    return (moment - _EPOCH) // _MICRO


def from_us(value: int) -> datetime:
    return _EPOCH + value * _MICRO


def connect(
    path: Path, *, synchronous: str = "NORMAL", busy_timeout_ms: int = 30_000
) -> sqlite3.Connection:
    """Open (creating if needed) a job file in autocommit mode; callers open transactions."""
    if synchronous not in ("NORMAL", "FULL"):
        raise ValueError("synchronous must be NORMAL or FULL")
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute(f"PRAGMA synchronous = {synchronous}")
        _ensure_schema(conn, path)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise JobFileError(f"{path} cannot be used as a job file: {exc}") from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _ensure_schema(conn: sqlite3.Connection, path: Path) -> None:
    # IMMEDIATE: two processes opening a new file at once must not both create the tables.
    conn.execute("BEGIN IMMEDIATE")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if app_id == 0 and version == 0:
            tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise JobFileError(f"{path} is an SQLite file but not a Vigil job file")
            # executescript would commit the open transaction: run the statements one by one.
            for statement in _DDL.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        elif app_id != APPLICATION_ID:
            raise JobFileError(f"{path} is not a Vigil job file")
        elif version > SCHEMA_VERSION:
            raise JobFileError(
                f"{path} has job schema {version}, newer than this Vigil's {SCHEMA_VERSION}"
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def row_info(row: tuple[Any, ...]) -> JobInfo:
    """A JobInfo from a row selected as ``COLUMNS``."""
    return JobInfo(
        id=JobId(row[0]),
        kind=row[1],
        payload=json.loads(row[2]),
        status=JobStatus(row[3]),
        key=row[4],
        priority=row[5],
        attempts=row[6],
        max_attempts=row[7],
        error=row[8],
        result=None if row[9] is None else json.loads(row[9]),
        created_at=from_us(row[10]),
        run_after=from_us(row[11]),
        started_at=None if row[12] is None else from_us(row[12]),
        finished_at=None if row[13] is None else from_us(row[13]),
        updated_at=from_us(row[14]),
        cancel_requested=bool(row[15]),
    )
