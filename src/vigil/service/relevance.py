"""Which packages of a stored inventory any advisory of the snapshot speaks about at all.

A host holds hundreds of packages and advisories name a few of them; a package whose index key
has no live advisory entry cannot match, so re-evaluation builds and matches only the others.
The answer is exact, not a heuristic: the filter uses the advisory index's own key (ecosystem
base and normalised name, every release), a superset of what the matcher then asks for, and the
matcher still decides each remaining package. Answers are remembered per key for the snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from vigil.advisories.normalize import index_key
from vigil.advisories.store import AdvisoryStore
from vigil.domain import Ecosystem, UnknownEcosystem

_Key = tuple[str, str]
_MEMO = 500_000  # remembered keys; a fleet's package names are far fewer


class Relevance:
    def __init__(self, store: AdvisoryStore) -> None:
        self._store = store
        self._os: dict[str, bool | None] = {}  # ecosystem text -> is an OS (None: unknown)
        self._keys: dict[tuple[str, str], _Key] = {}
        self._named: dict[_Key, bool] = {}

    def keep(self, packages: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """The package entries (vigil-json) whose advisory key has live entries."""
        return [p for p, _ in self.keep_keyed(packages)]

    def keep_keyed(
        self, packages: Iterable[Mapping[str, Any]]
    ) -> list[tuple[Mapping[str, Any], _Key]]:
        """``keep``, each entry with its advisory key."""
        listed = list(packages)
        key_of = self._key
        keys = [key_of(p) for p in listed]
        missing = {k for k in keys if k is not None and k not in self._named}
        if missing:
            self._resolve(missing)
        named = self._named
        return [(p, k) for p, k in zip(listed, keys, strict=True) if k is not None and named[k]]

    def named(self, keys: Iterable[_Key]) -> frozenset[_Key]:
        """Those of the advisory keys that live entries name."""
        wanted = set(keys)
        missing = {k for k in wanted if k not in self._named}
        if missing:
            self._resolve(missing)
        return frozenset(k for k in wanted if self._named[k])

    def _key(self, package: Mapping[str, Any]) -> _Key | None:
        ecosystem = package["ecosystem"]
        is_os = self._os[ecosystem] if ecosystem in self._os else self._kind(ecosystem)
        if is_os is None:
            return None
        # Distributions key advisories by source package (as ``matching.scope`` does).
        name = (package.get("sourceName") or package["name"]) if is_os else package["name"]
        memo = (ecosystem, name)
        key = self._keys.get(memo)
        if key is None:
            if len(self._keys) > _MEMO:
                self._keys.clear()
            found = index_key(ecosystem, name)
            key = self._keys[memo] = (found.ecosystem, found.name)
        return key

    def _kind(self, ecosystem: str) -> bool | None:
        try:
            parsed = Ecosystem.parse(ecosystem)
        except UnknownEcosystem:
            self._os[ecosystem] = None
            return None
        # An OS package without a release is never matched (advisories are per release).
        kind = None if parsed.is_os and not parsed.release else parsed.is_os
        self._os[ecosystem] = kind
        return kind

    def _resolve(self, keys: set[_Key]) -> None:
        if len(self._named) + len(keys) > _MEMO:
            self._named.clear()
        by_base: dict[str, list[str]] = {}
        for base, name in keys:
            by_base.setdefault(base, []).append(name)
        for base, names in by_base.items():
            found = self._store.lookup_many(base, names)
            for name in names:
                self._named[(base, name)] = name in found
