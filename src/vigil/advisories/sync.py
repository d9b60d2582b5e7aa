"""Sync one source into the store and report what changed.

``sync`` fetches (or learns that nothing changed), parses and writes in one store transaction,
and returns a ``SyncReport``: the ``SyncDiff`` that re-evaluation consumes, plus the records
that could not be read. Malformed records are reported by id and the rest imported; a previous
good version of a malformed record is kept. Any other failure (download, corrupt archive,
refused snapshot, database error) raises an ``AdvisoryError`` and leaves the store as it was.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from vigil.advisories.codec import EncodedRecord, encode
from vigil.advisories.diff import SyncDiff
from vigil.advisories.errors import SyncError
from vigil.advisories.parallel import encoded_items
from vigil.advisories.sources.base import AdvisorySource, FetchResult, ParseFailure, Unchanged
from vigil.advisories.store import AdvisoryStore

Progress = Callable[[int], None]
# Starting worker processes costs a second or two; below this many records one process wins.
PARALLEL_FROM = 20_000
# Each worker holds the archive's member list (about 1 KiB a member): a few are plenty, since
# the single writer becomes the bottleneck soon after.
MAX_WORKERS = 4


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
            "failures": [failure.to_json() for failure in self.failures],
        }


def sync(
    store: AdvisoryStore,
    source: AdvisorySource,
    *,
    max_removal: float = 0.5,
    progress: Progress | None = None,
    workers: int | None = None,
) -> SyncReport:
    """Bring ``source``'s records into ``store``. ``progress`` is called with records read.

    ``workers`` processes parse a large blob (default: one per CPU from ``PARALLEL_FROM``
    records on, when the source can split its parse); 1 keeps everything in this process.
    """
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
                for count, item in enumerate(_items(source, outcome, workers), 1):
                    if isinstance(item, ParseFailure):
                        failures.append(item)
                        if item.record_id:
                            batch.keep(item.record_id)
                    else:
                        batch.put_encoded(item)
                    if progress is not None and count % 1000 == 0:
                        progress(count)
                diff = batch.commit(outcome.fingerprint)
        except sqlite3.Error as exc:
            raise SyncError(f"{source.name}: database error, nothing written: {exc}") from exc
        except OSError as exc:
            raise SyncError(f"{source.name}: cannot read the fetched data: {exc}") from exc
    return SyncReport(source.name, False, diff, tuple(failures))


def _items(
    source: AdvisorySource, fetched: FetchResult, workers: int | None
) -> Iterator[EncodedRecord | ParseFailure]:
    if workers is None:
        big = (fetched.size_hint or 0) >= PARALLEL_FROM
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if big else 1
    if multiprocessing.current_process().daemon:
        workers = 1  # daemonic processes (a pool's workers) may not start children
    encoded = source.encoded_parse()
    if encoded is None:
        return (i if isinstance(i, ParseFailure) else encode(i) for i in source.parse(fetched))
    if workers > 1:
        return encoded_items(encoded, fetched, workers)
    return encoded(fetched, 0, 1)
