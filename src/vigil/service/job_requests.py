"""Requests for the service's jobs: the kinds, what a sync's diffs ask to re-evaluate, the
recurring advisory sync, and submitting an inventory or a re-evaluation of everything."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from vigil import __version__
from vigil.domain import Inventory
from vigil.jobs import JobId, JobQueue, JSONValue, Schedule
from vigil.service.advisory_sync import SourceOutcome
from vigil.service.ingest import stored_inventory

INGEST = "ingest-inventory"
SCAN = "scan-target"
REEVALUATE = "reevaluate"
SYNC = "advisory-sync"
SYNC_SCHEDULE = "advisory-sync"
DEFAULT_SYNC_INTERVAL = timedelta(hours=6)
# A diff naming more keys than this re-evaluates everything: selecting nearly every resource key
# by key costs more than walking them all, and the payload stays small.
MAX_KEYS = 5000
# What a stored finding was computed with: a new build may catalog or match differently.
EVALUATION_VERSION = __version__


def reevaluation_payload(outcomes: Sequence[SourceOutcome]) -> dict[str, JSONValue] | None:
    """The ``reevaluate`` job a sync's diffs call for, or None when nothing changed."""
    keys: set[tuple[str, str]] = set()
    records: set[str] = set()
    vulnerabilities: set[str] = set()
    for outcome in outcomes:
        diff: Mapping[str, Any] = outcome.diff or {}
        if "keys" in diff:
            keys.update((str(k["ecosystem"]), str(k["name"])) for k in diff["keys"])
            for name in ("added", "modified", "withdrawn", "removed"):
                records.update(map(str, diff.get(name, ())))
        elif "kind" in diff:  # an enrichment diff names CVEs
            for name in ("added", "changed", "removed"):
                vulnerabilities.update(map(str, diff.get(name, ())))
    if len(keys) > MAX_KEYS or len(vulnerabilities) > MAX_KEYS or (keys and vulnerabilities):
        return {"all": True}
    if keys:
        return {
            "keys": [[e, n] for e, n in sorted(keys)],
            "records": sorted(records),  # type: ignore[dict-item]
        }
    if vulnerabilities:
        return {"vulnerabilities": sorted(vulnerabilities)}  # type: ignore[dict-item]
    return None


def advisory_schedule(
    interval: timedelta = DEFAULT_SYNC_INTERVAL, payload: Mapping[str, JSONValue] | None = None
) -> Schedule:
    """The recurring advisory sync; ``EmbeddedBackend.trigger_now(SYNC_SCHEDULE)`` runs it now."""
    return Schedule(SYNC_SCHEDULE, interval, SYNC, dict(payload or {}))


def reevaluate_on_new_version(
    queue: JobQueue, marker: Path, version: str = EVALUATION_VERSION
) -> JobId | None:
    """Queue a re-evaluation of everything when this build of Vigil (its catalogers and
    matcher) differs from the one that last evaluated the fleet, as recorded in ``marker``.

    The job is queued (persistently) before the marker moves, so a crash in between queues it
    again rather than losing it; the key makes a second start join the queued job.
    """
    try:
        recorded = marker.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        recorded = None
    if recorded == version:
        return None
    job = queue.submit(REEVALUATE, {"all": True}, key=f"reevaluate:version:{version}")
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(version + "\n", encoding="utf-8")
    return job


def submit_inventory(
    queue: JobQueue,
    account_id: str,
    resource_id: str,
    inventory: Inventory,
    scanned_at: datetime,
) -> JobId:
    """Queue an inventory for ingest (as an agent push or an SBOM upload does)."""
    document = stored_inventory(inventory, scanned_at).document
    payload: dict[str, JSONValue] = {
        "accountId": account_id,
        "resourceId": resource_id,
        "inventory": dict(document),
        "scannedAt": scanned_at.isoformat(),
    }
    return queue.submit(INGEST, payload)
