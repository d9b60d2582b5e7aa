"""Header blobs from rpm's sqlite backend (``rpmdb.sqlite``, RHEL 9, Fedora 33+).

The database is opened from its bytes in memory, read-only: nothing is written next to the
target's files. rpm keeps the file in WAL mode, which an in-memory copy cannot use, so the
header's format bytes are set back to the rollback journal before opening; committed pages
still in a ``-wal`` file are not seen (the cataloger warns when one is present).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

_MAGIC = b"SQLite format 3\x00"


class SqliteError(ValueError):
    """A file that is not a readable rpm sqlite database."""


def sqlite_blobs(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(header instance number, header blob) for every row of the Packages table."""
    if not data.startswith(_MAGIC) or len(data) < 100:
        raise SqliteError("not an SQLite database")
    if data[18:20] == b"\x02\x02":
        data = data[:18] + b"\x01\x01" + data[20:]
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        connection.execute("PRAGMA query_only = ON")
        rows = connection.execute("SELECT hnum, blob FROM Packages ORDER BY hnum")
        for hnum, blob in rows:
            if isinstance(hnum, int) and isinstance(blob, bytes):
                yield hnum, blob
    except sqlite3.Error as exc:
        raise SqliteError(f"unreadable rpm sqlite database: {exc}") from None
    finally:
        connection.close()
