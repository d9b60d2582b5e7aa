"""``vigil db sync``: run the configured sources against the store, one transaction each.

Each source (one per OSV ecosystem, then NVD, EPSS and KEV) is synced on its own: a failure is
recorded with its message and the next source still runs, so one unreachable ecosystem does not
hold back the others; the failed source's part of the store keeps its previous state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from vigil.advisories.clock import Clock, utcnow
from vigil.advisories.enrich import sync_enrichment
from vigil.advisories.errors import AdvisoryError
from vigil.advisories.sources.base import AdvisorySource, EnrichmentSource, ParseFailure
from vigil.advisories.sources.epss import EpssSource
from vigil.advisories.sources.http import Downloader, Retry
from vigil.advisories.sources.kev import KevSource
from vigil.advisories.sources.nvd import NvdApiSource
from vigil.advisories.sources.osv_export import OsvExportSource
from vigil.advisories.store import AdvisoryStore
from vigil.advisories.sync import sync
from vigil.service.advisory_config import DEFAULT_ECOSYSTEMS, SOURCES, SourceConfig

MAX_FAILURES_KEPT = 1000  # malformed records named per source; the count is always exact


class SyncProgress(Protocol):
    """What a sync reports as it goes; a display implements it."""

    def started(self, source: str) -> None: ...

    def advanced(self, source: str, records: int) -> None: ...

    def finished(self, source: str, outcome: SourceOutcome) -> None: ...


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """One source's sync: its diff as JSON, counts of what changed, or the error that stopped it."""

    source: str
    unchanged: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    diff: dict[str, Any] | None = None
    failures: tuple[str, ...] = ()
    failure_count: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ok": self.ok,
            "unchanged": self.unchanged,
            "error": self.error,
            "diff": self.diff,
            "failure_count": self.failure_count,
            "failures": list(self.failures),
        }


@dataclass(frozen=True, slots=True)
class SyncSummary:
    store: Path
    outcomes: tuple[SourceOutcome, ...]

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    def to_json(self) -> dict[str, Any]:
        return {
            "store": str(self.store),
            "ok": self.ok,
            "sources": [o.to_json() for o in self.outcomes],
        }


def sync_database(
    store_path: Path,
    config: SourceConfig,
    *,
    sources: Sequence[str] = SOURCES,
    ecosystems: Sequence[str] | None = None,
    progress: SyncProgress | None = None,
    clock: Clock = utcnow,
    workers: int | None = None,
) -> SyncSummary:
    """Sync ``sources`` (``osv``, ``nvd``, ``epss``, ``kev``) into the store at ``store_path``."""
    unknown = sorted(set(sources) - set(SOURCES))
    if unknown:
        raise ValueError(f"unknown source {unknown[0]!r}; one of {', '.join(SOURCES)}")
    store_path.parent.mkdir(parents=True, exist_ok=True)
    downloader = Downloader(timeout=config.timeout, retry=Retry(attempts=config.attempts))
    with downloader, AdvisoryStore(store_path, clock=clock) as store:
        jobs = _jobs(config, sources, ecosystems, downloader, clock, workers)
        return SyncSummary(store_path, run_jobs(store, jobs, progress))


Advance = Callable[[int], None]
Job = tuple[str, Callable[[AdvisoryStore, Advance | None], SourceOutcome]]


def advisory_job(source: AdvisorySource, workers: int | None = None) -> Job:
    def run(store: AdvisoryStore, advance: Callable[[int], None] | None) -> SourceOutcome:
        report = sync(store, source, progress=advance, workers=workers)
        diff = report.diff
        counts = {
            "added": len(diff.added),
            "modified": len(diff.modified),
            "withdrawn": len(diff.withdrawn),
            "removed": len(diff.removed),
            "keys": len(diff.keys),
        }
        return _outcome(source.name, report.unchanged, counts, diff.to_json(), report.failures)

    return source.name, run


def enrichment_job(source: EnrichmentSource) -> Job:
    def run(store: AdvisoryStore, advance: Callable[[int], None] | None) -> SourceOutcome:
        report = sync_enrichment(store, source)
        diff = report.diff
        counts = {
            "added": len(diff.added),
            "changed": len(diff.changed),
            "removed": len(diff.removed),
        }
        return _outcome(source.name, report.unchanged, counts, diff.to_json(), report.failures)

    return source.name, run


def _outcome(
    name: str,
    unchanged: bool,
    counts: dict[str, int],
    diff: dict[str, Any],
    failures: Sequence[ParseFailure],
) -> SourceOutcome:
    return SourceOutcome(
        source=name,
        unchanged=unchanged,
        counts=counts,
        diff=None if unchanged else diff,
        failures=tuple(str(f) for f in failures[:MAX_FAILURES_KEPT]),
        failure_count=len(failures),
    )


def _jobs(
    config: SourceConfig,
    chosen: Sequence[str],
    ecosystems: Sequence[str] | None,
    downloader: Downloader,
    clock: Clock,
    workers: int | None,
) -> Iterator[Job]:
    if "osv" in chosen:
        for ecosystem in ecosystems or DEFAULT_ECOSYSTEMS:
            export = OsvExportSource(
                ecosystem, base_url=config.osv_url, downloader=downloader, clock=clock
            )
            yield advisory_job(export, workers)
    if "nvd" in chosen:
        yield enrichment_job(
            NvdApiSource(
                base_url=config.nvd_url,
                api_key=config.nvd_api_key,
                downloader=downloader,
                clock=clock,
            )
        )
    if "epss" in chosen:
        yield enrichment_job(EpssSource(config.epss_url, downloader=downloader, clock=clock))
    if "kev" in chosen:
        yield enrichment_job(KevSource(config.kev_url, downloader=downloader, clock=clock))


def run_jobs(
    store: AdvisoryStore, jobs: Iterable[Job], progress: SyncProgress | None
) -> tuple[SourceOutcome, ...]:
    """Run each job in turn; a failed one is recorded and the next still runs."""
    outcomes = []
    for name, run in jobs:
        advance = None
        if progress is not None:
            progress.started(name)
            advance = _advance(progress, name)
        try:
            outcome = run(store, advance)
        except AdvisoryError as exc:
            outcome = SourceOutcome(name, error=str(exc))
        if progress is not None:
            progress.finished(name, outcome)
        outcomes.append(outcome)
    return tuple(outcomes)


def _advance(progress: SyncProgress, name: str) -> Callable[[int], None]:
    return lambda count: progress.advanced(name, count)
