"""The candidate index: advisory entries by (ecosystem, normalised name), over the store.

Names go through the store's own normaliser, so a lookup folds exactly the spellings the store
folded when it indexed the record. Answers are kept per key (bounded), because a fleet asks
about the same packages over and over and a store query costs far more than a dict hit.
An index belongs to one state of the store: after a sync, build a new one (or ``clear`` it).
"""

from __future__ import annotations

from vigil.advisories.normalize import index_key
from vigil.advisories.store import AdvisoryStore, Candidate


class CandidateIndex:
    def __init__(self, store: AdvisoryStore, *, cache: int = 200_000) -> None:
        self._store = store
        self._size = cache
        self._cache: dict[tuple[str, str], tuple[Candidate, ...]] = {}

    @property
    def store(self) -> AdvisoryStore:
        return self._store

    def candidates(self, ecosystem: str, name: str) -> tuple[Candidate, ...]:
        """Live entries naming ``name`` in ``ecosystem`` (a release narrows, as the store does)."""
        key = (ecosystem, index_key(ecosystem, name).name)
        found = self._cache.get(key)
        if found is None:
            found = tuple(self._store.lookup(ecosystem, name))
            if len(self._cache) >= self._size:
                self._cache.clear()  # crude but bounded; a fleet's working set refills it fast
            self._cache[key] = found
        return found

    def clear(self) -> None:
        self._cache.clear()
