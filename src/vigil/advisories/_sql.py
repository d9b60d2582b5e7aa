"""Small helpers for ``IN (...)`` queries kept under SQLite's bound-parameter limit."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

CHUNK = 500


def chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def marks(count: int) -> str:
    return ",".join("?" * count)


def select_in(
    conn: sqlite3.Connection, sql: str, items: Sequence[Any], *params: Any
) -> Iterator[tuple[Any, ...]]:
    """Run ``sql`` (whose ``{in}`` stands for the placeholder list) over ``items`` in chunks.

    ``params`` are bound after the chunk's items.
    """
    for chunk in chunks(items):
        yield from conn.execute(sql.format(marks(len(chunk))), (*chunk, *params))


def execute_in(conn: sqlite3.Connection, sql: str, items: Sequence[Any]) -> None:
    for chunk in chunks(items):
        conn.execute(sql.format(marks(len(chunk))), chunk)
