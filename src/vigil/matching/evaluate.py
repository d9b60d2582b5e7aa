"""Decide one compiled ``affected`` entry for one version, saying which range or listed
version matched and which fixed version lies above it.

Entries are compiled from the store's packed match entries (``advisories.match_entry``), not
from the domain model: validating whole records was most of a cold lookup's cost. The
compilation and the range walk follow ``versions.osv_range`` exactly (GIT ranges skipped,
``introduced: "0"`` and ``*`` limits unbounded, events ordered by version with ties in the
record's order, the OSV schema's algorithm over them), and the tests hold the two to the same
answers on every real record. They are kept here as plain tuples rather than that module's
objects because a cold lookup compiles every candidate entry once, and building those objects
cost more than parsing the versions.

A finding needs the evidence and the fix as well as the answer, so the compiled ranges are
walked beside the record's own ranges they were compiled from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from vigil.advisories.match_entry import Events, MatchEntry
from vigil.versions import (
    CompiledAffected,
    InvalidVersion,
    SortKey,
    VersionScheme,
    scheme_for,
    semver_scheme_for,
)
from vigil.versions.osv_range import CompiledRange

# Parsed forms of the version being matched, by scheme name: one parse per package and scheme.
Keys = dict[str, SortKey]
_Fixed = tuple[tuple[str, SortKey], ...]  # a range's fixed events: (version, its key)
# Keys of event versions already parsed, by scheme name then version: entries of one package
# name the same versions over and over (one release fixes many vulnerabilities).
Parsed = dict[str, dict[str, SortKey]]
_Bound = SortKey | None  # None: "introduced: 0", or a limit containing "*"
# One compiled range: its scheme, events sorted by version, limits (empty: the implicit "*").
_Range = tuple[VersionScheme, tuple[tuple[str, _Bound], ...], tuple[_Bound, ...]]
_BY_BOUND = itemgetter(1)


@dataclass(frozen=True, slots=True)
class Hit:
    range_index: int | None  # index in the record's ranges; None when a listed version matched
    events: tuple[tuple[str, str], ...]
    listed_version: str | None
    fixed: str | None  # the smallest fixed event above the version, if any


class CompiledEntry:
    """An ``affected`` entry compiled once; ``check`` raises ``InvalidVersion`` for a version
    the ecosystem's scheme rejects (and the constructor for an event the scheme rejects)."""

    __slots__ = ("_fixed", "_listed", "_ranges", "positions", "ranges", "scheme")

    def __init__(self, ecosystem: str, entry: MatchEntry, parsed: Parsed | None = None) -> None:
        self.ranges = entry.ranges
        self.scheme, self._ranges, self._fixed = _compile(
            ecosystem, entry, {} if parsed is None else parsed
        )
        # GIT ranges are not compiled; remember where each compiled range came from.
        self.positions = tuple(i for i, (kind, _) in enumerate(entry.ranges) if kind != "GIT")
        # Listed versions no range covers, as versions.CompiledAffected decides them (exact
        # string, then parsed equality); built only for an entry that has any.
        self._listed = CompiledAffected(self.scheme, (), entry.versions) if entry.versions else None

    def check(self, version: str, keys: Keys) -> Hit | None:
        for slot, (scheme, events, limits) in enumerate(self._ranges):
            key = keys.get(scheme.name)
            if key is None:
                try:
                    key = keys[scheme.name] = scheme.parse(version)
                except InvalidVersion:
                    # OSV matches listed versions by exact string first: a listed version the
                    # scheme cannot parse still matches itself (with no fix to compare to).
                    if self._listed is not None and version in self._listed.listed:
                        return Hit(None, (), version, None)
                    raise
            if _includes(events, limits, key):
                position = self.positions[slot]
                events_of_record = self.ranges[position][1]
                return Hit(position, events_of_record, None, self._smallest_fix((slot,), key))
        if self._listed is not None and self._listed.includes(version):
            scheme = self.scheme
            key = keys.get(scheme.name)
            if key is None:
                key = keys[scheme.name] = scheme.parse(version)
            fixed = self._smallest_fix(range(len(self._ranges)), key, scheme)
            return Hit(None, (), version, fixed)
        return None

    def _smallest_fix(
        self, slots: tuple[int, ...] | range, key: SortKey, scheme: VersionScheme | None = None
    ) -> str | None:
        best: tuple[str, SortKey] | None = None
        for slot in slots:
            for value, bound in self._fixed_events(slot, scheme):
                if key < bound and (best is None or bound < best[1]):
                    best = (value, bound)
        return best[0] if best else None

    def _fixed_events(self, slot: int, scheme: VersionScheme | None) -> _Fixed:
        if scheme is not None and scheme is not self._ranges[slot][0]:
            # A listed-version hit is compared under the entry's own scheme.
            events = self.ranges[self.positions[slot]][1]
            return tuple((value, scheme.parse(value)) for kind, value in events if kind == "fixed")
        return self._fixed[slot]


def _includes(
    events: tuple[tuple[str, _Bound], ...], limits: tuple[_Bound, ...], key: SortKey
) -> bool:
    """``versions.osv_range.CompiledRange.includes``: the OSV schema's walk over sorted events.

    An event above the version changes nothing (an introduced or fixed event needs the version
    at or above it, a last_affected event below it), and events are sorted, so the walk stops
    at the first one above.
    """
    if limits and not any(lim is None or key < lim for lim in limits):
        return False
    vulnerable = False
    for kind, bound in events:
        if bound is not None and key < bound:
            break
        if kind == "introduced":
            vulnerable = True
        elif kind == "fixed" or (bound is not None and bound < key):  # fixed, last_affected
            vulnerable = False
    return vulnerable


def compile_entry(ecosystem: str, entry: MatchEntry) -> CompiledAffected:
    """``versions.compile_affected`` over a packed entry; raises as it does."""
    scheme, ranges, _ = _compile(ecosystem, entry, {})
    return CompiledAffected(
        scheme, tuple(CompiledRange(*compiled) for compiled in ranges), entry.versions
    )


@lru_cache(maxsize=256)
def _schemes(ecosystem: str) -> tuple[VersionScheme, VersionScheme]:
    """The schemes of an ecosystem's ECOSYSTEM and SEMVER ranges (raises as ``scheme_for``)."""
    return scheme_for(ecosystem), semver_scheme_for(ecosystem)


def _compile(
    ecosystem: str, entry: MatchEntry, parsed: Parsed
) -> tuple[VersionScheme, tuple[_Range, ...], tuple[_Fixed, ...]]:
    """The entry's scheme, its compiled ranges, and each one's fixed events with their keys
    (which the compilation parses anyway, and a match needs to name the fix)."""
    scheme, semver = _schemes(ecosystem)
    ranges: list[_Range] = []
    fixed: list[_Fixed] = []
    for kind, events in entry.ranges:
        if kind == "GIT":
            continue
        own = scheme if kind == "ECOSYSTEM" else semver
        memo = parsed.get(own.name)
        if memo is None:
            memo = parsed[own.name] = {}
        compiled, fixes = _compile_range(events, own, memo)
        ranges.append(compiled)
        fixed.append(fixes)
    return scheme, tuple(ranges), tuple(fixed)


def _compile_range(
    events: Events, scheme: VersionScheme, memo: dict[str, SortKey]
) -> tuple[_Range, _Fixed]:
    unbounded: list[tuple[str, _Bound]] = []
    bounded: list[tuple[str, SortKey]] = []
    limits: list[_Bound] = []
    fixed: list[tuple[str, SortKey]] = []
    parse = scheme.parse
    for kind, value in events:
        if kind == "introduced" and value == "0":
            unbounded.append((kind, None))
            continue
        if kind == "limit" and "*" in value:
            limits.append(None)
            continue
        key = memo.get(value)
        if key is None:
            key = memo[value] = parse(value)
        if kind == "limit":
            limits.append(key)
            continue
        bounded.append((kind, key))
        if kind == "fixed":
            fixed.append((value, key))
    # sorted() compares keys with ``<`` only (all a scheme promises) and is stable, so events
    # of equal versions keep the record's order.
    bounded.sort(key=_BY_BOUND)
    return (scheme, (*unbounded, *bounded), tuple(limits)), tuple(fixed)
