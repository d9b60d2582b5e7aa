"""Checkpointing SQLite's write-ahead log in the background, off the writers' path.

By default the connection whose commit grows the log past 1,000 pages copies it back into the
database file, inside that commit, and waits for the disk. Re-evaluating a fleet commits tens of
megabytes per batch (a new finding touches about five pages: its row, its document and the
random leaves of its unique indexes), so every batch paid a checkpoint: a third of the wall time
of a 3,000-resource re-evaluation. The engine raises that threshold to a backstop
(``engine.WAL_BACKSTOP_PAGES``) and a server runs one ``WalCheckpointer``: a thread that makes a
PASSIVE checkpoint every ``interval`` seconds. PASSIVE never blocks readers or writers; it
copies what no reader still needs, and the log starts over once all of it was copied.
PostgreSQL has its own checkpointer: there this class does nothing.
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 1.0  # seconds between checkpoints


class WalCheckpointer:
    def __init__(self, engine: Engine, interval: float = DEFAULT_INTERVAL) -> None:
        if interval <= 0:
            raise ValueError("the checkpoint interval must be positive")
        self.engine = engine
        self.interval = interval
        self.checkpoints = 0  # completed, for tests and diagnostics
        self.last: tuple[int, int, int] | None = None  # what the last one reported
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.engine.dialect.name != "sqlite" or self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="vigil-wal-checkpoint", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread after one last checkpoint."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stop.set()
        thread.join()

    def checkpoint(self) -> tuple[int, int, int]:
        """One PASSIVE checkpoint: (busy, log frames, frames copied), as SQLite reports it."""
        # On the driver's own connection, outside any transaction: SQLAlchemy would BEGIN first,
        # and a checkpoint cannot copy past a snapshot its own connection holds.
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                row = cursor.fetchone()
            finally:
                cursor.close()
        finally:
            connection.close()
        if row is None:
            raise sqlite3.OperationalError("wal_checkpoint returned no row")
        self.checkpoints += 1
        self.last = (int(row[0]), int(row[1]), int(row[2]))
        return self.last

    def _run(self) -> None:
        while True:
            stopping = self._stop.wait(self.interval)
            try:
                self.checkpoint()
            except (SQLAlchemyError, sqlite3.Error) as exc:
                # A busy or failing checkpoint is retried at the next tick; writers still
                # checkpoint past the backstop, so nothing depends on this one.
                log.warning("WAL checkpoint failed: %s", exc)
            if stopping:
                return
