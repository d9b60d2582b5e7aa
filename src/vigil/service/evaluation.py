"""Matching a stored resource's inventory against one advisory snapshot, into observations.

An ``Evaluator`` belongs to one state of the advisory store: its ``Matcher`` remembers the
verdict for every (ecosystem, name, version) it was asked about and its ``FactsCollector`` every
vulnerability it described, so the thousands of identical packages of a fleet cost one decision
each. Build a new one after a sync (``Snapshots`` does, by asking SQLite whether the store file
changed). An evaluator is used by one thread at a time: the advisory store is not shared
between threads.

``inventory_keys`` are the (ecosystem, normalised name) pairs an advisory diff names, computed
exactly as the matcher looks packages up, so that a diff finds every resource it may change.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from vigil.advisories.normalize import index_key
from vigil.advisories.store import AdvisoryStore
from vigil.db.resources import NamedEntries
from vigil.domain import Ecosystem, Inventory, Location, Observation, Package, Resource
from vigil.findings import ResourceRef
from vigil.matching import Matcher, MatchWarning
from vigil.matching.scope import Unscoped, scope_of
from vigil.sbom.vigil_json import decode_vigil_json
from vigil.service.observation_memo import ObservationMemo
from vigil.service.relevance import Relevance
from vigil.service.vulnerability_facts import FactsCollector


def inventory_keys(packages: Iterable[Package]) -> frozenset[tuple[str, str]]:
    """The advisory index keys of the packages: what an advisory diff is compared with."""
    keys: set[tuple[str, str]] = set()
    for package in packages:
        try:
            scope = scope_of(package)
        except Unscoped:
            continue  # never matched, so no diff can concern it
        key = index_key(scope.lookup_ecosystem, scope.name)
        keys.add((key.ecosystem, key.name))
    return frozenset(keys)


def resource_ref(resource: Resource) -> ResourceRef:
    """The findings room's view of a stored resource (what a finding's ``resources`` shows)."""
    return ResourceRef(
        resource.resource_type.value,
        resource.resource_id,
        resource.account_id,
        resource.region,
        resource.partition,
        resource.tags,
        resource.details,
    )


@lru_cache(maxsize=4096)
def _ecosystem(text: str) -> Ecosystem:
    return Ecosystem.parse(text)


def stored_packages(document: Mapping[str, Any]) -> tuple[Package, ...]:
    """The packages of an inventory document this service wrote itself (vigil-json).

    Re-evaluation reads thousands of them in a row; they were validated when they came in, so
    this reads them directly instead of through the checking reader. Anything unexpected falls
    back to that reader, which names the problem.
    """
    try:
        return tuple(
            Package(
                p["name"],
                p["version"],
                _ecosystem(p["ecosystem"]),
                p["purl"],
                p["cataloger"],
                tuple(Location(loc["path"], loc.get("layerDigest")) for loc in p["locations"]),
                p.get("sourceName"),
                p.get("sourceVersion"),
                p.get("arch"),
            )
            for p in document["packages"]
        )
    except (KeyError, TypeError, ValueError):
        return decode_vigil_json(document).packages


def named_packages_of(named: NamedEntries) -> tuple[Package, ...]:
    """The packages of named entries (taken from a stored document, or remembered with it)."""
    return stored_packages({"packages": named.packages}) if named.packages else ()


class Evaluator:
    """Observations of resources against one advisory snapshot."""

    def __init__(self, store: AdvisoryStore) -> None:
        self.store = store
        self.matcher = Matcher(store)
        self.collector = FactsCollector(store)
        self.memo = ObservationMemo(self.collector)
        self.relevance = Relevance(store)

    def observe(
        self, resource: Resource, packages: Inventory | Iterable[Package], now: datetime
    ) -> tuple[list[Observation], tuple[MatchWarning, ...]]:
        """What matching the packages shows for the resource: one observation per vulnerability."""
        result = self.matcher.match(packages)
        observations = self.memo.observations(resource_ref(resource), result.matches, now)
        return observations, result.warnings

    def observe_stored(
        self,
        resource: Resource,
        document: Mapping[str, Any],
        now: datetime,
        only: Collection[str] | None = None,
    ) -> list[Observation]:
        """``observe`` for a stored inventory document, matching only the packages that some
        advisory names (the others cannot match; see ``relevance``); ``only`` limits the
        observations to those vulnerability ids."""
        packages = named_packages_of(self.named_entries(document))
        return self.observe_packages(resource, packages, now, only)

    def named_entries(self, document: Mapping[str, Any]) -> NamedEntries:
        """The entries of an inventory document that some advisory names, with their keys."""
        kept = self.relevance.keep_keyed(document["packages"])
        return NamedEntries(tuple(key for _, key in kept), tuple(entry for entry, _ in kept))

    def observe_packages(
        self,
        resource: Resource,
        packages: Iterable[Package],
        now: datetime,
        only: Collection[str] | None = None,
    ) -> list[Observation]:
        """Observations of already chosen packages (``only``: of those vulnerability ids)."""
        result = self.matcher.match(packages, only)
        return self.memo.observations(resource_ref(resource), result.matches, now, only)


def load_inventory(document: Mapping[str, Any]) -> Inventory:
    """A stored or submitted vigil-json document as an Inventory (checked)."""
    return decode_vigil_json(document)


class Snapshots:
    """The evaluator for the advisory store's current state, one per thread.

    Whether the file changed since an evaluator was built is asked of SQLite itself
    (``PRAGMA data_version`` moves when another connection commits), which costs microseconds,
    so every job can ask before it matches.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def current(self) -> Evaluator:
        local = self._local
        probe: sqlite3.Connection | None = getattr(local, "probe", None)
        if probe is None:
            probe = local.probe = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        version = probe.execute("PRAGMA data_version").fetchone()[0]
        evaluator: Evaluator | None = getattr(local, "evaluator", None)
        if evaluator is None or local.version != version:
            if evaluator is not None:
                evaluator.store.close()
            evaluator = local.evaluator = Evaluator(AdvisoryStore(self.path, create=False))
            local.version = version
        return evaluator

    def refresh(self) -> None:
        """Forget this thread's evaluator (after a sync it ran itself: its own commits do not
        move its probe's data_version)."""
        evaluator: Evaluator | None = getattr(self._local, "evaluator", None)
        if evaluator is not None:
            evaluator.store.close()
            self._local.evaluator = None

    def close(self) -> None:
        self.refresh()
        probe: sqlite3.Connection | None = getattr(self._local, "probe", None)
        if probe is not None:
            probe.close()
            self._local.probe = None
