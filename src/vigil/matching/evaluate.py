"""Decide one compiled ``affected`` entry for one version, saying which range or listed
version matched and which fixed version lies above it.

Entries are compiled from the store's packed match entries (``advisories.match_entry``), not
from the domain model: validating whole records was most of a cold lookup's cost. The
compilation follows ``versions.compile_affected`` exactly (GIT ranges skipped, ``introduced:
"0"`` and ``*`` limits unbounded, events ordered by version with ties in the record's order),
and the tests hold the two to the same result on every real record.

``CompiledAffected.includes`` answers yes or no; a finding also needs the evidence and the fix,
so the compiled ranges are walked here beside the record's own ranges they were compiled from.
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

    __slots__ = ("_fixed", "compiled", "positions", "ranges")

    def __init__(self, ecosystem: str, entry: MatchEntry, parsed: Parsed | None = None) -> None:
        self.ranges = entry.ranges
        self.compiled, self._fixed = _compile(ecosystem, entry, {} if parsed is None else parsed)
        # GIT ranges are not compiled; remember where each compiled range came from.
        self.positions = tuple(i for i, (kind, _) in enumerate(entry.ranges) if kind != "GIT")

    def check(self, version: str, keys: Keys) -> Hit | None:
        compiled = self.compiled
        for slot, rng in enumerate(compiled.ranges):
            key = keys.get(rng.scheme.name)
            if key is None:
                try:
                    key = keys[rng.scheme.name] = rng.scheme.parse(version)
                except InvalidVersion:
                    # OSV matches listed versions by exact string first: a listed version the
                    # scheme cannot parse still matches itself (with no fix to compare to).
                    if version in compiled.listed:
                        return Hit(None, (), version, None)
                    raise
            if rng.includes(key):
                position = self.positions[slot]
                events = self.ranges[position][1]
                return Hit(position, events, None, self._smallest_fix((slot,), key))
        if compiled.listed and compiled.includes(version):
            scheme = compiled.scheme
            key = keys.get(scheme.name)
            if key is None:
                key = keys[scheme.name] = scheme.parse(version)
            fixed = self._smallest_fix(range(len(compiled.ranges)), key, scheme)
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
        if scheme is not None and scheme is not self.compiled.ranges[slot].scheme:
            # A listed-version hit is compared under the entry's own scheme.
            events = self.ranges[self.positions[slot]][1]
            return tuple((value, scheme.parse(value)) for kind, value in events if kind == "fixed")
        return self._fixed[slot]


def compile_entry(ecosystem: str, entry: MatchEntry) -> CompiledAffected:
    """``versions.compile_affected`` over a packed entry; raises as it does."""
    return _compile(ecosystem, entry, {})[0]


@lru_cache(maxsize=256)
def _schemes(ecosystem: str) -> tuple[VersionScheme, VersionScheme]:
    """The schemes of an ecosystem's ECOSYSTEM and SEMVER ranges (raises as ``scheme_for``)."""
    return scheme_for(ecosystem), semver_scheme_for(ecosystem)


def _compile(
    ecosystem: str, entry: MatchEntry, parsed: Parsed
) -> tuple[CompiledAffected, tuple[_Fixed, ...]]:
    """The compiled entry, and each compiled range's fixed events with their keys (which the
    compilation parses anyway, and a match needs to name the fix)."""
    scheme, semver = _schemes(ecosystem)
    ranges: list[CompiledRange] = []
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
    return CompiledAffected(scheme, tuple(ranges), entry.versions), tuple(fixed)


def _compile_range(
    events: Events, scheme: VersionScheme, memo: dict[str, SortKey]
) -> tuple[CompiledRange, _Fixed]:
    unbounded: list[tuple[str, SortKey | None]] = []
    bounded: list[tuple[str, SortKey]] = []
    limits: list[SortKey | None] = []
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
    return CompiledRange(scheme, (*unbounded, *bounded), tuple(limits)), tuple(fixed)
