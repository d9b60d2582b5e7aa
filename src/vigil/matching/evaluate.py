"""Decide one compiled ``affected`` entry for one version, saying which range or listed
version matched and which fixed version lies above it.

``CompiledAffected.includes`` answers yes or no; a finding also needs the evidence and the fix,
so the compiled ranges are walked here beside the record's own ranges they were compiled from.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.domain import Affected
from vigil.versions import CompiledAffected, SortKey, VersionScheme, compile_affected

# Parsed forms of the version being matched, by scheme name: one parse per package and scheme.
Keys = dict[str, SortKey]


@dataclass(frozen=True, slots=True)
class Hit:
    range_index: int | None  # index in the record's ranges; None when a listed version matched
    events: tuple[tuple[str, str], ...]
    listed_version: str | None
    fixed: str | None  # the smallest fixed event above the version, if any


class CompiledEntry:
    """An ``affected`` entry compiled once; ``check`` raises ``InvalidVersion`` for a version
    the ecosystem's scheme rejects."""

    __slots__ = ("_fixed", "affected", "compiled", "positions")

    def __init__(self, ecosystem: str, affected: Affected) -> None:
        self.affected = affected
        self.compiled: CompiledAffected = compile_affected(ecosystem, affected)
        # compile_affected skips GIT ranges; remember where each compiled range came from.
        self.positions = tuple(i for i, r in enumerate(affected.ranges) if r.type != "GIT")
        self._fixed: dict[int, tuple[tuple[str, SortKey], ...]] = {}

    def check(self, version: str, keys: Keys) -> Hit | None:
        compiled = self.compiled
        for slot, rng in enumerate(compiled.ranges):
            key = keys.get(rng.scheme.name)
            if key is None:
                key = keys[rng.scheme.name] = rng.scheme.parse(version)
            if rng.includes(key):
                position = self.positions[slot]
                events = tuple((e.kind, e.value) for e in self.affected.ranges[position].events)
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

    def _fixed_events(
        self, slot: int, scheme: VersionScheme | None
    ) -> tuple[tuple[str, SortKey], ...]:
        rng = self.compiled.ranges[slot]
        if scheme is not None and scheme is not rng.scheme:
            # A listed-version hit is compared under the entry's own scheme.
            events = self.affected.ranges[self.positions[slot]].events
            return tuple((e.value, scheme.parse(e.value)) for e in events if e.kind == "fixed")
        found = self._fixed.get(slot)
        if found is None:
            events = self.affected.ranges[self.positions[slot]].events
            found = tuple((e.value, rng.scheme.parse(e.value)) for e in events if e.kind == "fixed")
            self._fixed[slot] = found
        return found
