"""``vigil scan``: catalog a target (or read an SBOM), match it, and build Inspector findings.

The advisory database is checked first, so a missing or stale one fails before any time is
spent cataloging: ``AdvisoryDatabaseMissing`` when the file is absent, not a Vigil store or
holds no advisories; ``AdvisoryDatabaseTooOld`` when its last successful sync or build is older
than allowed (or unknown while an age limit is set). Failing to open the target raises the
``TargetError`` family (an unreadable or malformed SBOM included). A target in which nothing was
recognised gives ``understood=False``: never a silent "no vulnerabilities".

Findings are sorted most severe first, then by vulnerability id; ``finding_to_json`` renders
one in Inspector's JSON shape with ISO 8601 timestamps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from time import perf_counter
from typing import Any

from vigil.advisories.errors import StoreError
from vigil.advisories.store import AdvisoryStore
from vigil.domain import Inventory
from vigil.findings import (
    EXTENSION,
    NOT_AVAILABLE,
    FindingIdFactory,
    PackageFinding,
    ResourceRef,
    finding_document,
    iso_time,
    local_resource,
    stable_finding_id,
)
from vigil.matching import Matcher, MatchWarning
from vigil.sbom import MAX_SBOM_BYTES, InvalidSbom, decode_sbom
from vigil.service.findings_build import package_findings
from vigil.service.inventory import ScanProgress, scan_inventory
from vigil.targets import (
    ImageNotFound,
    LimitExceeded,
    Limits,
    MalformedTarget,
    Platform,
    RegistryOptions,
    TargetError,
    TargetNotFound,
)

__all__ = [
    "EXTENSION",
    "NOT_AVAILABLE",
    "AdvisoryDatabaseMissing",
    "AdvisoryDatabaseTooOld",
    "DatabaseSummary",
    "ImageNotFound",
    "Limits",
    "MatchWarning",
    "PackageFinding",
    "Platform",
    "RegistryOptions",
    "ResourceRef",
    "ScanOutcome",
    "ScanProgress",
    "ScanRequest",
    "TargetError",
    "TargetNotFound",
    "finding_to_json",
    "run_scan",
]


class AdvisoryDatabaseMissing(Exception):
    """No usable advisory store at the given path."""


class AdvisoryDatabaseTooOld(Exception):
    """The advisory store was last brought up to date longer ago than allowed."""


@dataclass(frozen=True)
class ScanRequest:
    target: str | None  # a target spec as ``vigil sbom`` accepts; or None with ``sbom``
    sbom: Path | None  # a CycloneDX/SPDX/vigil JSON document instead of a target
    db: Path  # the advisory store file
    max_db_age: timedelta | None  # None: any age
    platform: Platform | None = None
    registry: RegistryOptions | None = None
    limits: Limits | None = None
    resource: ResourceRef | None = None  # default: a local resource named by the target


@dataclass(frozen=True)
class DatabaseSummary:
    path: Path
    updated_at: datetime | None  # last successful sync, check or build
    age: timedelta | None
    records: int


@dataclass(frozen=True)
class ScanOutcome:
    findings: tuple[PackageFinding, ...]
    inventory: Inventory
    match_warnings: tuple[MatchWarning, ...]
    database: DatabaseSummary
    understood: bool  # False when nothing could be cataloged: the CLI exits 3
    timings: dict[str, float]  # seconds: "catalog", "match", "findings"


_KINDS = {
    "dir": "host",
    "docker-archive": "image",
    "oci": "image",
    "registry": "image",
    "zip": "function",
}


def _utcnow() -> datetime:
    return datetime.now(UTC)


def run_scan(
    request: ScanRequest,
    *,
    progress: ScanProgress | None = None,
    clock: Callable[[], datetime] = _utcnow,
    id_factory: FindingIdFactory = stable_finding_id,
) -> ScanOutcome:
    if (request.target is None) == (request.sbom is None):
        raise ValueError("a scan needs exactly one of a target and an SBOM")
    now = clock()
    with _open_store(request.db) as store:
        database = _summary(store, now, request.max_db_age)
        started = perf_counter()
        inventory = _inventory(request, progress)
        cataloged = perf_counter()
        result = Matcher(store).match(inventory)
        matched = perf_counter()
        resource = request.resource or _resource(request, inventory)
        findings = package_findings(
            store, resource, result.matches, observed_at=now, ids=id_factory
        )
        built = perf_counter()
    return ScanOutcome(
        findings=findings,
        inventory=inventory,
        match_warnings=result.warnings,
        database=database,
        understood=inventory.understood,
        timings={
            "catalog": cataloged - started,
            "match": matched - cataloged,
            "findings": built - matched,
        },
    )


def finding_to_json(finding: PackageFinding) -> dict[str, Any]:
    """The finding as Inspector's JSON ``Finding``, timestamps in ISO 8601."""
    return finding_document(finding, iso_time)


def _open_store(path: Path) -> AdvisoryStore:
    if not path.is_file():
        raise AdvisoryDatabaseMissing(f"{path}: no advisory database (run `vigil db sync`)")
    try:
        return AdvisoryStore(path, create=False)
    except StoreError as exc:
        raise AdvisoryDatabaseMissing(str(exc)) from None


def _summary(store: AdvisoryStore, now: datetime, max_age: timedelta | None) -> DatabaseSummary:
    info = store.info()
    times = [info.updated_at, *(s.checked_at or s.synced_at for s in info.sources)]
    known = [t for t in times if t is not None]
    updated = max(known) if known else None
    age = now - updated if updated is not None else None
    summary = DatabaseSummary(store.path, updated, age, info.records)
    if info.records == 0:
        raise AdvisoryDatabaseMissing(
            f"{store.path}: the advisory database holds no advisories (run `vigil db sync`)"
        )
    if max_age is not None and (age is None or age > max_age):
        when = updated.isoformat() if updated is not None else "never"
        raise AdvisoryDatabaseTooOld(
            f"{store.path}: last updated {when}, older than the allowed {max_age}"
        )
    return summary


def _inventory(request: ScanRequest, progress: ScanProgress | None) -> Inventory:
    if request.sbom is not None:
        return _read_sbom(request.sbom)
    assert request.target is not None
    return scan_inventory(
        request.target,
        platform=request.platform,
        limits=request.limits,
        progress=progress,
        registry=request.registry,
    )


def _read_sbom(path: Path) -> Inventory:
    try:
        size = path.stat().st_size
        if size > MAX_SBOM_BYTES:
            raise LimitExceeded(f"{path}: {size} bytes, more than an SBOM may have")
        data = path.read_bytes()
    except FileNotFoundError:
        raise TargetNotFound(f"{path}: no such SBOM file") from None
    except (IsADirectoryError, PermissionError) as exc:
        raise TargetNotFound(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        return decode_sbom(data, default_target=str(path))
    except InvalidSbom as exc:
        raise MalformedTarget(f"{path}: {exc}") from None


def _resource(request: ScanRequest, inventory: Inventory) -> ResourceRef:
    spec = request.target or inventory.target or str(request.sbom)
    head, colon, _ = spec.partition(":")
    kind = _KINDS.get(head) if colon else None
    if kind is None:  # a bare path, recognised from its content by the opener
        path = Path(spec)
        kind = "host" if path.is_dir() else "function" if path.suffix == ".zip" else "image"
    return local_resource(spec, kind)
