"""Keeping the ``groups`` table in step with ``links``: per component, or all at once.

An incremental sync recomputes only the connected components its changes touch, found by a
breadth-first walk over the joining links; ``resolve`` gives the same answer for a component as
for the whole graph, so both paths agree (the tests hold them to it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from vigil.advisories._sql import execute_in, select_in
from vigil.advisories.groups import resolve

_MATES = (
    "SELECT member FROM groups WHERE group_id IN (SELECT group_id FROM groups WHERE member IN ({}))"
)
_OUTGOING = (
    "SELECT r.id, l.target FROM records r "
    "LEFT JOIN links l ON l.rid = r.rid AND l.joins = 1 WHERE r.id IN ({})"
)
_INCOMING = (
    "SELECT r.id, l.target FROM links l JOIN records r ON r.rid = l.rid "
    "WHERE l.joins = 1 AND l.target IN ({})"
)


def rebuild(conn: sqlite3.Connection) -> None:
    """Recompute every group from the links table."""
    records = [row[0] for row in conn.execute("SELECT id FROM records")]
    edges = conn.execute(
        "SELECT r.id, l.target FROM links l JOIN records r ON r.rid = l.rid WHERE l.joins = 1"
    ).fetchall()
    mapping = resolve(records, edges)
    conn.execute("DELETE FROM groups")
    conn.executemany("INSERT INTO groups (member, group_id) VALUES (?, ?)", mapping.items())


def refresh(conn: sqlite3.Connection, seeds: Iterable[str]) -> None:
    """Recompute the groups of the components that hold any seed, before or after the change."""
    start = set(seeds)
    start.update(row[0] for row in select_in(conn, _MATES, sorted(start)))
    nodes, records, edges = _component(conn, start)
    mapping = resolve(records, edges)
    execute_in(conn, "DELETE FROM groups WHERE member IN ({})", sorted(nodes))
    conn.executemany("INSERT INTO groups (member, group_id) VALUES (?, ?)", mapping.items())


def _component(
    conn: sqlite3.Connection, start: set[str]
) -> tuple[set[str], set[str], set[tuple[str, str]]]:
    seen = set(start)
    frontier = sorted(start)
    records: set[str] = set()
    edges: set[tuple[str, str]] = set()
    while frontier:
        found: set[str] = set()
        for record, target in select_in(conn, _OUTGOING, frontier):
            records.add(record)
            if target is not None:
                edges.add((record, target))
                found.add(target)
        for record, target in select_in(conn, _INCOMING, frontier):
            records.add(record)
            edges.add((record, target))
            found.add(record)
        frontier = sorted(found - seen)
        seen.update(found)
    return seen, records, edges
