"""The candidate index: advisory entries by (ecosystem, normalised name), over the store.

Names go through the store's own normaliser, so a lookup folds exactly the spellings the store
folded when it indexed the record. Answers are kept per key (bounded), because a fleet asks
about the same packages over and over and a store query costs far more than a dict hit; keys
not yet known are asked of the store together, one query per few hundred names.
An index belongs to one state of the store: after a sync, build a new one (or ``clear`` it).
"""

from __future__ import annotations

from collections.abc import Iterable

from vigil.advisories.normalize import normalize_name
from vigil.advisories.store import AdvisoryStore, Candidate

_NONE: tuple[Candidate, ...] = ()


class CandidateIndex:
    def __init__(self, store: AdvisoryStore, *, cache: int = 200_000) -> None:
        self._store = store
        self._size = cache
        self._cache: dict[tuple[str, str], tuple[Candidate, ...]] = {}

    @property
    def store(self) -> AdvisoryStore:
        return self._store

    def candidates(self, ecosystem: str, name: str) -> tuple[Candidate, ...]:
        """Live entries naming ``name`` in ``ecosystem``; with a release, of that release only
        (``scope.py``: entries of no release never speak about a distribution package)."""
        return self.candidates_many(ecosystem, (name,))[name]

    def candidates_many(
        self, ecosystem: str, names: Iterable[str]
    ) -> dict[str, tuple[Candidate, ...]]:
        """``candidates`` for every name given (as given), asking the store once for the rest."""
        cache = self._cache
        answer: dict[str, tuple[Candidate, ...]] = {}
        missing: list[tuple[str, tuple[str, str]]] = []
        for name in names:
            key = (ecosystem, normalize_name(ecosystem, name))
            hit = cache.get(key)
            if hit is None:
                missing.append((name, key))
            else:
                answer[name] = hit
        if missing:
            found = self._store.lookup_normalized(
                ecosystem, {key[1] for _, key in missing}, exact_release=True
            )
            if len(cache) + len(missing) > self._size:
                cache.clear()  # crude but bounded; a fleet's working set refills it fast
            for name, key in missing:
                hit = cache.get(key)
                if hit is None:
                    hit = cache[key] = tuple(found.get(key[1], _NONE))
                answer[name] = hit
        return answer

    def clear(self) -> None:
        self._cache.clear()
