"""Vulnerability groups: which advisory ids name the same vulnerability.

Only ``aliases`` and ``upstream`` say "the same vulnerability" (``related`` does not), so only
they join ids, through union-find. Two rules keep one CVE one vulnerability:

- An advisory that names two or more CVEs (a Debian DSA, an Ubuntu USN: one advisory fixing
  several vulnerabilities) is a *bundle*: its links to CVEs do not join, it stays a group of its
  own that ``covers`` those CVEs.
- A union that would put two different CVEs in one group is refused. Edges are applied in one
  canonical order, so the outcome never depends on the order records arrived in, and a group can
  be recomputed from its connected component alone (what an incremental sync does).

A group's display id is its CVE when it has one, otherwise its smallest id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, NamedTuple

LinkKind = Literal["alias", "upstream", "related"]


class Link(NamedTuple):
    """An edge from a record to another id; ``joins`` if it makes them one vulnerability."""

    target: str
    kind: LinkKind
    joins: bool


@dataclass(frozen=True, slots=True)
class VulnerabilityGroup:
    """The ids that name one vulnerability, and the records the store holds for it."""

    id: str
    members: tuple[str, ...]
    records: tuple[str, ...]
    covers: tuple[str, ...] = ()  # CVEs a bundle advisory fixes
    covered_by: tuple[str, ...] = ()  # bundle advisories that fix this vulnerability
    related: tuple[str, ...] = ()


def is_cve(identifier: str) -> bool:
    return identifier.startswith("CVE-")


def links_of(
    record_id: str, aliases: Iterable[str], upstream: Iterable[str], related: Iterable[str]
) -> tuple[Link, ...]:
    """The links a record declares, with the bundle rule applied."""
    aliases, upstream = tuple(aliases), tuple(upstream)
    cves = {i.strip() for i in (record_id, *aliases, *upstream) if is_cve(i.strip())}
    bundle = len(cves) > 1
    found: set[Link] = set()
    for kind, targets in (("alias", aliases), ("upstream", upstream), ("related", related)):
        for raw in targets:
            target = raw.strip()
            if not target or target == record_id:
                continue
            joins = kind != "related" and not (bundle and is_cve(target))
            found.add(Link(target, kind, joins))  # type: ignore[arg-type]
    return tuple(sorted(found))


def resolve(record_ids: Iterable[str], edges: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Map every id (records and the ids their joining links name) to its group's display id."""
    parent: dict[str, str] = {}
    cve: dict[str, str | None] = {}

    def add(node: str) -> None:
        if node not in parent:
            parent[node] = node
            cve[node] = node if is_cve(node) else None

    def find(node: str) -> str:
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    for record in record_ids:
        add(record)
    for a, b in sorted({(min(a, b), max(a, b)) for a, b in edges if a != b}):
        add(a)
        add(b)
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ca, cb = cve[ra], cve[rb]
        if ca is not None and cb is not None and ca != cb:
            continue  # two distinct CVEs: never one vulnerability
        if rb < ra:
            ra, rb = rb, ra
        parent[rb] = ra
        cve[ra] = ca or cb

    members: dict[str, list[str]] = {}
    for node in parent:
        members.setdefault(find(node), []).append(node)
    out: dict[str, str] = {}
    for root, nodes in members.items():
        display = cve[root] or min(nodes)
        for node in nodes:
            out[node] = display
    return out
