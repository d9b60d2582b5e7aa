"""The VersionScheme seam: parse a version once into a totally ordered sort key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class InvalidVersion(ValueError):
    """A version string the scheme's reference implementation would reject."""

    def __init__(self, scheme: str, version: str, reason: str = "") -> None:
        self.scheme = scheme
        self.version = version
        self.reason = reason
        detail = f": {reason}" if reason else ""
        super().__init__(f"invalid {scheme} version {version!r}{detail}")


class SortKey(Protocol):
    """Anything totally ordered by ``<``; schemes build tuples of ints and strings."""

    def __lt__(self, other: Any, /) -> bool: ...


@dataclass(frozen=True, slots=True)
class VersionScheme:
    """A named ordering. ``parse`` raises ``InvalidVersion`` for input the reference rejects.

    Two versions are equal exactly when neither key is less than the other, so keys must agree
    with the reference on equality too (``1.0`` and ``1.0.0`` are equal under PEP 440).
    """

    name: str
    parse: Callable[[str], SortKey]

    def compare(self, a: str, b: str) -> int:
        return compare_keys(self.parse(a), self.parse(b))


def compare_keys(a: SortKey, b: SortKey) -> int:
    """-1, 0 or 1 for two keys of the same scheme."""
    if a < b:
        return -1
    if b < a:
        return 1
    return 0
