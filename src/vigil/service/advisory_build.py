"""``vigil db build``: a fresh store file from local files and URLs, all or nothing.

Each SOURCE is a path or an http(s) URL; a URL is downloaded first (with the same retries and
checks as a sync), and either way the format is detected from the content (advisory_detect.py).
OSV sources go in first, then NVD, EPSS and KEV, so that enrichment lands on a complete set of
records. The store is built in a temporary file beside the output and renamed over it only when
every source went in: a failed build leaves no file, and an existing one untouched.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from vigil.advisories.clock import Clock, utcnow
from vigil.advisories.errors import AdvisoryError, SourceError
from vigil.advisories.sources.base import FetchResult
from vigil.advisories.sources.epss import EpssSource
from vigil.advisories.sources.files import fetch_file, is_url
from vigil.advisories.sources.http import Downloader, Retry
from vigil.advisories.sources.kev import KevSource
from vigil.advisories.sources.nvd import NvdFeedSource
from vigil.advisories.sources.osv_local import OsvDirectorySource, OsvZipSource
from vigil.advisories.store import AdvisoryStore
from vigil.service.advisory_detect import Kind, detect
from vigil.service.advisory_sync import (
    Job,
    SourceOutcome,
    SyncProgress,
    advisory_job,
    enrichment_job,
    run_jobs,
)

_ORDER: dict[Kind, int] = {"osv-dir": 0, "osv-zip": 0, "nvd": 1, "epss": 2, "kev": 3}


class BuildError(AdvisoryError):
    """A build failed; no store file was written."""


@dataclass(frozen=True, slots=True)
class BuildInput:
    spec: str  # as given
    path: Path  # local: the file or directory itself, or the download of a URL
    kind: Kind


@dataclass(frozen=True, slots=True)
class BuildSummary:
    output: Path
    inputs: tuple[BuildInput, ...]
    outcomes: tuple[SourceOutcome, ...]


def build_database(
    specs: Sequence[str],
    output: Path,
    *,
    progress: SyncProgress | None = None,
    clock: Clock = utcnow,
    timeout: float = 60.0,
    workers: int | None = None,
) -> BuildSummary:
    if not specs:
        raise BuildError("no source given")
    directory = output.resolve().parent
    if not directory.is_dir():
        raise BuildError(f"{directory}: no such directory")
    with ExitStack() as cleanup:
        downloader = cleanup.enter_context(Downloader(timeout=timeout, retry=Retry(attempts=4)))
        inputs = [_input(spec, downloader, clock, cleanup) for spec in specs]
        inputs.sort(key=lambda item: _ORDER[item.kind])
        jobs = _jobs(inputs, clock, workers)
        fd, name = tempfile.mkstemp(prefix=f".{output.name}.build-", dir=directory)
        os.close(fd)
        temporary = Path(name)
        temporary.unlink()  # the store creates its own file; the name was only reserved
        try:
            with AdvisoryStore(temporary, clock=clock) as store:
                outcomes = run_jobs(store, jobs, progress)
            failed = [o for o in outcomes if not o.ok]
            if failed:
                raise BuildError(
                    "; ".join(f"{o.source}: {o.error}" for o in failed) + "; no store written"
                )
            os.replace(temporary, output)
        finally:
            for leftover in (temporary, Path(f"{name}-wal"), Path(f"{name}-shm")):
                leftover.unlink(missing_ok=True)
    return BuildSummary(output, tuple(inputs), outcomes)


def _input(spec: str, downloader: Downloader, clock: Clock, cleanup: ExitStack) -> BuildInput:
    if is_url(spec):
        fetched = fetch_file(spec, None, downloader=downloader, clock=clock)
        if not isinstance(fetched, FetchResult):  # no previous fingerprint: never "unchanged"
            raise SourceError(f"{spec}: nothing downloaded")
        cleanup.callback(fetched.discard)
        return BuildInput(spec, fetched.path, detect(fetched.path))
    path = Path(spec)
    if not path.exists():
        raise SourceError(f"{spec}: no such file or directory")
    return BuildInput(spec, path, detect(path))


def _jobs(inputs: Sequence[BuildInput], clock: Clock, workers: int | None) -> list[Job]:
    jobs: list[Job] = []
    names: set[str] = set()
    seen: set[Kind] = set()
    for item in inputs:
        if item.kind in ("epss", "kev") and item.kind in seen:
            # Each is a complete snapshot: a second file would silently replace the first.
            raise BuildError(f"{item.spec}: a second {item.kind.upper()} file; give one")
        seen.add(item.kind)
        base = item.spec.rstrip("/").rpartition("/")[2] or item.spec
        name = _unique(f"{item.kind}:{base}", names)
        location = str(item.path)
        if item.kind == "osv-dir":
            jobs.append(
                advisory_job(OsvDirectorySource(item.path, name=name, clock=clock), workers)
            )
        elif item.kind == "osv-zip":
            jobs.append(advisory_job(OsvZipSource(item.path, name=name, clock=clock), workers))
        elif item.kind == "nvd":
            jobs.append(enrichment_job(NvdFeedSource(location, name=name, clock=clock)))
        elif item.kind == "epss":
            jobs.append(enrichment_job(EpssSource(location, clock=clock)))
        else:
            jobs.append(enrichment_job(KevSource(location, clock=clock)))
    return jobs


def _unique(name: str, taken: set[str]) -> str:
    """Source names key record ownership: two inputs may not share one."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}#{number}"
    taken.add(candidate)
    return candidate
