"""Unique element identifiers (CycloneDX bom-refs, SPDX IDs) from possibly repeated bases."""

from __future__ import annotations


class UniqueIds:
    """Hands out each base once; repeats get ``<sep>2``, ``<sep>3``... in constant time each.

    Repeats are ordinary (one npm package nested in many ``node_modules``), so the counter per
    base matters: probing from 2 every time would be quadratic.
    """

    def __init__(self, separator: str) -> None:
        self._separator = separator
        self._used: set[str] = set()
        self._last: dict[str, int] = {}

    def take(self, base: str) -> str:
        candidate = base
        if candidate in self._used:
            count = self._last.get(base, 1)
            while candidate in self._used:
                count += 1
                candidate = f"{base}{self._separator}{count}"
            self._last[base] = count
        self._used.add(candidate)
        return candidate
