"""Sync one source into the store and report what changed.

``sync`` fetches (or learns that nothing changed), parses and writes in one store transaction,
and returns a ``SyncReport``: the ``SyncDiff`` that re-evaluation consumes, plus the records
that could not be read. Malformed records are reported by id and the rest imported; a previous
good version of a malformed record is kept. Any other failure (download, corrupt archive,
refused snapshot, database error) raises an ``AdvisoryError`` and leaves the store as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vigil.advisories.diff import SyncDiff
from vigil.advisories.errors import SyncError
from vigil.advisories.sources.base import AdvisorySource, ParseFailure, Unchanged
from vigil.advisories.store import AdvisoryStore

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class SyncReport:
    source: str
    unchanged: bool
    diff: SyncDiff
    failures: tuple[ParseFailure, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "unchanged": self.unchanged,
            "diff": self.diff.to_json(),
            "failures": [
                {"id": f.record_id, "location": f.location, "reason": f.reason}
                for f in self.failures
            ],
        }


def sync(
    store: AdvisoryStore,
    source: AdvisorySource,
    *,
    max_removal: float = 0.5,
    progress: Progress | None = None,
) -> SyncReport:
    """Bring ``source``'s records into ``store``. ``progress`` is called with records read."""
    state = store.source_state(source.name)
    outcome = source.fetch(state.fingerprint if state else None)
    if isinstance(outcome, Unchanged):
        store.mark_checked(source.name, outcome.fingerprint)
        return SyncReport(source.name, True, SyncDiff(source.name))
    failures: list[ParseFailure] = []
    with outcome:
        try:
            with store.batch(
                source.name, complete=outcome.complete, max_removal=max_removal
            ) as batch:
                for count, item in enumerate(source.parse(outcome), 1):
                    if isinstance(item, ParseFailure):
                        failures.append(item)
                        if item.record_id:
                            batch.keep(item.record_id)
                    else:
                        batch.put(item)
                    if progress is not None and count % 1000 == 0:
                        progress(count)
                diff = batch.commit(outcome.fingerprint)
        except sqlite3.Error as exc:
            raise SyncError(f"{source.name}: database error, nothing written: {exc}") from exc
        except OSError as exc:
            raise SyncError(f"{source.name}: cannot read the fetched data: {exc}") from exc
    return SyncReport(source.name, False, diff, tuple(failures))
