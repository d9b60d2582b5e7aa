from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine, text

from tests.dbfixtures import sqlite_engine_at
from vigil.db.checkpoint import WalCheckpointer
from vigil.db.engine import WAL_BACKSTOP_PAGES


def _write_pages(engine: Engine, rows: int) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS filler (body BLOB)"))
        connection.execute(
            text("INSERT INTO filler VALUES (:body)"), [{"body": b"x" * 4000}] * rows
        )


def test_writers_leave_the_log_to_the_checkpointer_below_the_backstop(tmp_path: Path) -> None:
    engine = sqlite_engine_at(tmp_path / "vigil.db")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == (
            WAL_BACKSTOP_PAGES
        )
    # 3,000 pages: three times SQLite's default threshold, where the writer would have
    # checkpointed inside its commit; the log still holds them all.
    _write_pages(engine, 3_000)
    checkpointer = WalCheckpointer(engine)
    busy, frames, copied = checkpointer.checkpoint()
    assert busy == 0
    assert frames >= 3_000
    assert copied == frames
    engine.dispose()


def test_the_thread_checkpoints_on_its_interval_and_once_more_when_stopped(
    tmp_path: Path,
) -> None:
    engine = sqlite_engine_at(tmp_path / "vigil.db")
    checkpointer = WalCheckpointer(engine, interval=0.02)
    checkpointer.start()
    assert checkpointer.running
    _write_pages(engine, 200)
    deadline = time.monotonic() + 10
    while checkpointer.checkpoints < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert checkpointer.checkpoints >= 3
    _write_pages(engine, 10)
    before = checkpointer.checkpoints
    checkpointer.stop()
    assert not checkpointer.running
    assert checkpointer.checkpoints > before  # at least the last one, after the last write
    assert checkpointer.last is not None
    busy, frames, copied = checkpointer.last
    assert busy == 0
    assert copied == frames
    engine.dispose()


def test_postgresql_has_its_own_checkpointer(postgres_engine: Engine) -> None:
    checkpointer = WalCheckpointer(postgres_engine)
    checkpointer.start()
    assert not checkpointer.running
    checkpointer.stop()
