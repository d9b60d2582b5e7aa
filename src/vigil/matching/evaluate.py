"""Decide one compiled ``affected`` entry for one version, saying which range or listed
version matched and which fixed version lies above it.

``CompiledAffected.includes`` answers yes or no; a finding also needs the evidence and the fix,
so the compiled ranges are walked here beside the record's own ranges they were compiled from.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.domain import Affected
from vigil.versions import CompiledAffected, SortKey, VersionScheme, compile_affected


@dataclass(frozen=True, slots=True)
class Hit:
    range_index: int | None  # index in the record's ranges; None when a listed version matched
    events: tuple[tuple[str, str], ...]
    listed_version: str | None
    fixed: str | None  # the smallest fixed event above the version, if any


class CompiledEntry:
    """An ``affected`` entry compiled once; ``check`` raises ``InvalidVersion`` for a version
    the ecosystem's scheme rejects."""

    __slots__ = ("affected", "compiled", "positions")

    def __init__(self, ecosystem: str, affected: Affected) -> None:
        self.affected = affected
        self.compiled: CompiledAffected = compile_affected(ecosystem, affected)
        # compile_affected skips GIT ranges; remember where each compiled range came from.
        self.positions = tuple(i for i, r in enumerate(affected.ranges) if r.type != "GIT")

    def check(self, version: str) -> Hit | None:
        compiled = self.compiled
        keys: dict[str, SortKey] = {}
        for position, rng in zip(self.positions, compiled.ranges, strict=True):
            key = keys.get(rng.scheme.name)
            if key is None:
                key = keys[rng.scheme.name] = rng.scheme.parse(version)
            if rng.includes(key):
                return self._hit(position, None, key, rng.scheme)
        if compiled.listed and compiled.includes(version):
            scheme = compiled.scheme
            key = keys.get(scheme.name)
            if key is None:
                key = scheme.parse(version)
            return self._hit(None, version, key, scheme)
        return None

    def _hit(
        self,
        position: int | None,
        listed: str | None,
        key: SortKey,
        scheme: VersionScheme,
    ) -> Hit:
        ranges = self.affected.ranges
        pool = (ranges[position],) if position is not None else ranges
        fixed: tuple[str, SortKey] | None = None
        for rng in pool:
            if rng.type == "GIT":
                continue
            for event in rng.events:
                if event.kind != "fixed":
                    continue
                bound = scheme.parse(event.value)
                if key < bound and (fixed is None or bound < fixed[1]):
                    fixed = (event.value, bound)
        events = (
            tuple((e.kind, e.value) for e in ranges[position].events)
            if position is not None
            else ()
        )
        return Hit(position, events, listed, fixed[0] if fixed else None)
