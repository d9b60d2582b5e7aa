"""Evaluate an OSV ``affected`` entry against a version, as the OSV schema's algorithm defines.

An entry is compiled once (every event version parsed into a sort key) so that a matcher can
test many package versions against it cheaply.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from vigil.domain.advisory import Affected, Range
from vigil.versions.registry import scheme_for, semver_scheme_for
from vigil.versions.scheme import SortKey, VersionScheme

# "introduced": "0" sorts before every version, and a limit containing "*" after every version;
# neither is parsed by the scheme. None stands for that unbounded end.
_Bound = SortKey | None


@dataclass(frozen=True, slots=True)
class CompiledRange:
    scheme: VersionScheme
    events: tuple[tuple[str, _Bound], ...]  # (kind, key) sorted by version, stable for ties
    limits: tuple[_Bound, ...]  # empty means the implicit "*" limit

    def includes(self, key: SortKey) -> bool:
        if self.limits and not any(lim is None or key < lim for lim in self.limits):
            return False
        vulnerable = False
        for kind, bound in self.events:
            if kind == "introduced":
                if bound is None or not key < bound:
                    vulnerable = True
            elif kind == "fixed":
                if bound is not None and not key < bound:
                    vulnerable = False
            elif bound is not None and bound < key:  # last_affected
                vulnerable = False
        return vulnerable


class CompiledAffected:
    """An ``affected`` entry with its ranges pre-parsed; ``includes`` answers one version.

    Listed versions match by exact string first, then by parsed equality (``1.0`` is ``1.0.0``
    under PEP 440). Parsing the list is deferred until a version falls outside every range,
    since real lists hold hundreds of versions that the ranges usually already cover.
    """

    __slots__ = ("_listed_keys", "_misses", "listed", "ranges", "scheme")

    def __init__(
        self, scheme: VersionScheme, ranges: tuple[CompiledRange, ...], listed: tuple[str, ...]
    ) -> None:
        self.scheme = scheme
        self.ranges = ranges
        self.listed = frozenset(listed)
        self._listed_keys: list[SortKey] | None = None
        self._misses = 0

    def includes(self, version: str) -> bool:
        if version in self.listed:
            return True
        own: SortKey | None = None
        for rng in self.ranges:
            if rng.scheme is self.scheme:
                if own is None:
                    own = self.scheme.parse(version)
                key = own
            else:
                key = rng.scheme.parse(version)
            if rng.includes(key):
                return True
        if not self.listed:
            return False
        if own is None:
            own = self.scheme.parse(version)
        self._misses += 1
        if self._misses == 1:
            # A one-shot question: scanning is cheaper than sorting the whole list.
            return any(not own < k and not k < own for k in self._parsed_listed())
        if self._listed_keys is None:
            self._listed_keys = sorted(self._parsed_listed())
        keys = self._listed_keys
        at = bisect_left(keys, own)
        return at < len(keys) and not own < keys[at]

    def _parsed_listed(self) -> Iterator[SortKey]:
        for text in self.listed:
            try:
                yield self.scheme.parse(text)
            except ValueError:
                continue  # still matched by exact string, as OSV's algorithm does


def compile_affected(ecosystem: str, affected: Affected | Mapping[str, Any]) -> CompiledAffected:
    """Compile an ``affected`` entry: parse its event versions with the ecosystem's scheme.

    ``GIT`` ranges are skipped: they need the repository's commit graph, not package versions.
    Raises ``InvalidVersion`` when an event version does not parse, because a range that cannot
    be evaluated must not silently answer "not affected".
    """
    entry = affected if isinstance(affected, Affected) else Affected.model_validate(affected)
    scheme = scheme_for(ecosystem)
    ranges = tuple(
        _compile_range(rng, scheme if rng.type == "ECOSYSTEM" else semver_scheme_for(ecosystem))
        for rng in entry.ranges
        if rng.type != "GIT"
    )
    return CompiledAffected(scheme, ranges, entry.versions)


def _compile_range(rng: Range, scheme: VersionScheme) -> CompiledRange:
    events: list[tuple[str, _Bound]] = []
    limits: list[_Bound] = []
    for event in rng.events:
        if event.kind == "limit":
            limits.append(None if "*" in event.value else scheme.parse(event.value))
        elif event.kind == "introduced" and event.value == "0":
            events.append(("introduced", None))
        else:
            events.append((event.kind, scheme.parse(event.value)))
    # Unbounded introduced events sort first; ties keep the record's own order.
    ordered = sorted(
        enumerate(events),
        key=lambda item: (item[1][1] is not None, _Sortable(item[1][1]), item[0]),
    )
    return CompiledRange(scheme, tuple(ev for _, ev in ordered), tuple(limits))


class _Sortable:
    """Orders optional keys by ``<`` alone, the only operation schemes promise."""

    __slots__ = ("key",)

    def __init__(self, key: _Bound) -> None:
        self.key = key

    def __lt__(self, other: _Sortable) -> bool:
        if self.key is None or other.key is None:
            return False
        return bool(self.key < other.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Sortable) and not self < other and not other < self

    __hash__ = None  # type: ignore[assignment]


def is_affected(ecosystem: str, version: str, affected: Affected | Mapping[str, Any]) -> bool:
    """Whether ``version`` of a package in ``ecosystem`` falls in one OSV ``affected`` entry."""
    return compile_affected(ecosystem, affected).includes(version)
