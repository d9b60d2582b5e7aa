"""Sync one enrichment source (NVD, EPSS, KEV) into the store and report which CVEs changed.

The same contract as ``sync``: fetch or "unchanged", parse, one transaction; malformed items
are reported and the rest applied; any other failure leaves the store as it was.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any, cast

from vigil.advisories.enrichment_writer import EnrichmentDiff, Kind
from vigil.advisories.errors import SyncError
from vigil.advisories.sources.base import EnrichmentSource, ParseFailure, Unchanged
from vigil.advisories.store import AdvisoryStore

_KINDS = ("nvd", "epss", "kev")


@dataclass(frozen=True, slots=True)
class EnrichmentReport:
    source: str
    unchanged: bool
    diff: EnrichmentDiff
    failures: tuple[ParseFailure, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "unchanged": self.unchanged,
            "diff": self.diff.to_json(),
            "failures": [failure.to_json() for failure in self.failures],
        }


def sync_enrichment(
    store: AdvisoryStore, source: EnrichmentSource, *, max_removal: float = 0.5
) -> EnrichmentReport:
    if source.kind not in _KINDS:
        raise SyncError(f"{source.name}: unknown enrichment kind {source.kind!r}")
    kind = cast(Kind, source.kind)
    state = store.source_state(source.name)
    outcome = source.fetch(state.fingerprint if state else None)
    if isinstance(outcome, Unchanged):
        store.mark_checked(source.name, outcome.fingerprint)
        return EnrichmentReport(source.name, True, EnrichmentDiff(source.name, kind))
    failures: list[ParseFailure] = []
    with outcome:
        try:
            with store.enrichment_batch(
                source.name, kind, complete=outcome.complete, max_removal=max_removal
            ) as batch:
                for item in source.parse(outcome):
                    if isinstance(item, ParseFailure):
                        failures.append(item)
                        if item.record_id:
                            batch.keep(item.record_id)
                    else:
                        batch.put(item)
                diff = batch.commit(outcome.fingerprint)
        except sqlite3.Error as exc:
            raise SyncError(f"{source.name}: database error, nothing written: {exc}") from exc
        except OSError as exc:
            raise SyncError(f"{source.name}: cannot read the fetched data: {exc}") from exc
    return EnrichmentReport(source.name, False, diff, tuple(failures))
