"""The packages of each stored inventory that advisories name, kept between re-evaluations.

Reading a stored inventory means decoding its whole document (hundreds of packages) to keep the
handful some advisory names. The answer only changes when the inventory changes (its
``scanned_at`` moves) or when a diff makes one of its other packages named (a key of the diff
that the resource holds and that was not among its named ones). So the service remembers, per
resource, the named packages and their keys, and reads the document again only then. A package
kept that is no longer named costs one more matcher decision and no finding: the cached set is
a superset, never a loss.

The same entries are stored with the inventory (``inventories.named_keys``/``named_packages``,
written at ingest and whenever re-evaluation had to read a document), under the same rules: this
cache is the first place re-evaluation looks, those columns the second, the document the last.
After a restart the columns answer for every resource whose inventory is unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from vigil.domain import Package

_Key = tuple[str, str]
DEFAULT_LIMIT = 200_000  # resources remembered; past it the cache starts again


@dataclass(frozen=True, slots=True)
class _Entry:
    scanned_at: datetime
    keys: frozenset[_Key]
    packages: tuple[Package, ...]


class NamedPackages:
    """Per resource key: the named packages of its inventory as of ``scanned_at``."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._limit = limit
        self._entries: dict[int, _Entry] = {}
        self._interned: dict[Package, Package] = {}  # a fleet shares most named packages
        self._lock = threading.Lock()

    def get(
        self, pk: int, scanned_at: datetime, named_now: frozenset[_Key] = frozenset()
    ) -> tuple[Package, ...] | None:
        """The cached packages, unless the inventory changed or one of ``named_now`` (keys of
        the resource that advisories name now) was not named when they were cached."""
        entry = self._entries.get(pk)
        if entry is None or entry.scanned_at != scanned_at or not named_now <= entry.keys:
            return None
        return entry.packages

    def put(
        self, pk: int, scanned_at: datetime, keys: Sequence[_Key], packages: Sequence[Package]
    ) -> None:
        with self._lock:
            if len(self._entries) >= self._limit:
                self._entries.clear()
                self._interned.clear()
            interned = tuple(self._interned.setdefault(p, p) for p in packages)
            self._entries[pk] = _Entry(scanned_at, frozenset(keys), interned)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._interned.clear()

    def __len__(self) -> int:
        return len(self._entries)
