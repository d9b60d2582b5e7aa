"""Reading the index for matchers: candidates of many package names, group heads of many
records, one entry of a record. ``AdvisoryStore`` answers with these; they live apart to keep
the store's module about the file as a whole.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from operator import itemgetter
from typing import TYPE_CHECKING, NamedTuple

from vigil.advisories._sql import chunks, marks
from vigil.advisories.codec import inflate
from vigil.advisories.groups import is_cve
from vigil.advisories.normalize import ecosystem_base
from vigil.domain import Advisory, Affected

if TYPE_CHECKING:
    from vigil.advisories.store import AdvisoryStore

_BY_RECORD = itemgetter(0, 1)  # record_id, affected_index


class Candidate(NamedTuple):
    """An advisory whose ``affected[affected_index]`` names the looked-up package.

    A tuple, because a popular package has hundreds of candidates and building them is most of
    a lookup's cost; ``load`` decodes the advisory (through the store's cache).
    """

    record_id: str
    affected_index: int
    ecosystem: str  # the entry's own ecosystem, release included ("Debian:12")
    entry: str | bytes  # the entry's ranges and versions, packed: ``match_entry.unpack`` it
    rid: int
    source: AdvisoryStore

    def load(self) -> Advisory:
        return self.source._load_rid(self.rid)

    @property
    def advisory(self) -> Advisory:
        return self.load()

    @property
    def affected(self) -> Affected:
        """The entry alone: validating one entry costs a fraction of validating the record."""
        return self.source._load_affected(self.rid, self.affected_index)


class GroupHead(NamedTuple):
    """A vulnerability group's display id and the CVEs it covers (see ``VulnerabilityGroup``)."""

    id: str
    covers: tuple[str, ...]


def select_candidates(
    conn: sqlite3.Connection,
    ecosystem: str,
    keys: Iterable[str],
    *,
    source: AdvisoryStore,
    include_withdrawn: bool,
    exact_release: bool,
) -> dict[str, list[Candidate]]:
    """Candidates by normalised name (``AdvisoryStore.lookup_normalized``)."""
    base, _, release = ecosystem.partition(":")
    sql = (
        "SELECT name, record_id, idx, release, entry, rid FROM affected "
        "WHERE name IN ({}) AND ecosystem = ?"
    )
    params: list[str] = [ecosystem_base(base)]
    if release:
        sql += " AND release = ?" if exact_release else " AND release IN (?, '')"
        params.append(release)
    if not include_withdrawn:
        sql += " AND live = 1"
    new = tuple.__new__
    spelled: dict[str, str] = {}  # one string per release, not one per row
    out: dict[str, list[Candidate]] = {}
    execute = conn.execute
    for chunk in chunks(sorted(keys)):
        rows = execute(sql.format(marks(len(chunk))), (*chunk, *params)).fetchall()
        for name, record_id, idx, entry_release, entry, rid in rows:
            entry_ecosystem = spelled.get(entry_release)
            if entry_ecosystem is None:
                entry_ecosystem = f"{base}:{entry_release}" if entry_release else base
                spelled[entry_release] = entry_ecosystem
            found = out.get(name)
            if found is None:
                found = out[name] = []
            found.append(new(Candidate, (record_id, idx, entry_ecosystem, entry, rid, source)))
    for found in out.values():  # rows come in index order, releases apart: record order
        if len(found) > 1:
            found.sort(key=_BY_RECORD)
    return out


def select_group_heads(conn: sqlite3.Connection, record_ids: Iterable[str]) -> dict[str, GroupHead]:
    """Group id and covered CVEs per record (``AdvisoryStore.group_heads``)."""
    group_of: dict[str, str] = {}
    for chunk in chunks(sorted(set(record_ids))):
        sql = f"SELECT member, group_id FROM groups WHERE member IN ({marks(len(chunk))})"
        group_of.update(conn.execute(sql, chunk).fetchall())
    covers: dict[str, set[str]] = {}
    for chunk in chunks(sorted(set(group_of.values()))):
        rows = conn.execute(
            "SELECT g.group_id, l.target FROM groups g JOIN records r ON r.id = g.member "
            "JOIN links l ON l.rid = r.rid "
            f"WHERE g.group_id IN ({marks(len(chunk))}) AND l.joins = 0 "
            "AND l.kind != 'related'",
            chunk,
        ).fetchall()
        for group_id, target in rows:
            if is_cve(target):
                covers.setdefault(group_id, set()).add(target)
    return {
        record_id: GroupHead(group_id, tuple(sorted(covers.get(group_id, ()))))
        for record_id, group_id in group_of.items()
    }


def entry_of(doc: bytes, index: int) -> Affected:
    """``affected[index]`` of a stored record, validated alone."""
    fields = json.loads(inflate(doc))
    return Affected.model_validate(fields["affected"][index])
