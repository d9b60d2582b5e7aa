"""What a sync changed: the input of continuous re-evaluation.

Every changed record id is in exactly one of ``added``, ``modified``, ``withdrawn`` (newly
withdrawn, or arrived withdrawn) or ``removed`` (gone from a complete snapshot). ``keys`` are the
package keys of the old and the new ``affected`` entries of all of them: an inventory holding
any of those packages may have gained or lost a finding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vigil.advisories.normalize import PackageKey

_LISTS = ("added", "modified", "withdrawn", "removed")


@dataclass(frozen=True, slots=True)
class SyncDiff:
    source: str
    added: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    withdrawn: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    keys: tuple[PackageKey, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.modified or self.withdrawn or self.removed)

    @property
    def changed(self) -> tuple[str, ...]:
        return tuple(sorted((*self.added, *self.modified, *self.withdrawn, *self.removed)))

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            **{name: list(getattr(self, name)) for name in _LISTS},
            "keys": [{"ecosystem": k.ecosystem, "name": k.name} for k in self.keys],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SyncDiff:
        return cls(
            source=str(data["source"]),
            added=tuple(map(str, data.get("added", ()))),
            modified=tuple(map(str, data.get("modified", ()))),
            withdrawn=tuple(map(str, data.get("withdrawn", ()))),
            removed=tuple(map(str, data.get("removed", ()))),
            keys=tuple(PackageKey(str(k["ecosystem"]), str(k["name"])) for k in data["keys"]),
        )
