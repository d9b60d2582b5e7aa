"""The service's job kinds and their handlers, listed explicitly (``JobHandlers.registry``).

- ``ingest-inventory`` ``{"accountId", "resourceId", "inventory": <vigil-json>, "scannedAt"?}``:
  store the inventory, match it, reconcile the resource's findings;
- ``scan-target`` ``{"accountId", "resourceId", "target"?}``: catalog the target spec (default:
  the one the resource was registered with) into an inventory, then ingest it;
- ``reevaluate`` ``{"keys": [[ecosystem, name], ...], "records"?: [...]}``,
  ``{"vulnerabilities": [...]}`` or ``{"all": true}``: re-match the resources those select
  against the current advisories, reconciling only the findings of the changed records' or
  CVEs' vulnerabilities when those are named (``reevaluate.diff_scope``);
- ``advisory-sync`` ``{"sources"?: [...], "ecosystems"?: [...]}``: sync the advisory store
  (scheduled with ``advisory_schedule``, or on demand); its diffs queue one ``reevaluate``.

Every handler is idempotent (delivery is at least once): ingest and re-evaluation reconcile
against the stored state, so running one twice changes only ``lastObservedAt``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from vigil.domain import Inventory
from vigil.jobs import (
    HandlerRegistry,
    JobContext,
    JobId,
    JobQueue,
    JSONValue,
    PermanentError,
)
from vigil.sbom import InvalidSbom
from vigil.service import reports, sbom_export
from vigil.service.advisory_config import SOURCES, SourceConfig
from vigil.service.advisory_sync import SourceOutcome, sync_database
from vigil.service.clock import Clock, utcnow
from vigil.service.evaluation import Snapshots, load_inventory
from vigil.service.ingest import Ingestor, ResourceRemoved, UnknownResource
from vigil.service.inventory import TargetError, scan_inventory
from vigil.service.job_requests import (
    DEFAULT_SYNC_INTERVAL,
    EVALUATION_VERSION,
    INGEST,
    MAX_KEYS,
    REEVALUATE,
    SCAN,
    SYNC,
    SYNC_SCHEDULE,
    advisory_schedule,
    reevaluate_on_new_version,
    reevaluation_payload,
    submit_inventory,
)
from vigil.service.package_cache import NamedPackages
from vigil.service.reconciling import NewId
from vigil.service.reevaluate import DEFAULT_BATCH, Reevaluator, diff_scope

__all__ = [
    "DEFAULT_SYNC_INTERVAL",
    "EVALUATION_VERSION",
    "INGEST",
    "MAX_KEYS",
    "REEVALUATE",
    "SCAN",
    "SYNC",
    "SYNC_SCHEDULE",
    "ServiceJobs",
    "SyncRunner",
    "advisory_schedule",
    "reevaluate_on_new_version",
    "reevaluation_payload",
    "submit_inventory",
]

SyncRunner = Callable[[Mapping[str, JSONValue]], Sequence[SourceOutcome]]


@dataclass
class ServiceJobs:
    """What the handlers work with. ``queue`` is attached once the backend exists."""

    engine: Engine
    advisory_db: Path
    clock: Clock = utcnow
    new_id: NewId | None = None
    sources: SourceConfig = field(default_factory=SourceConfig)
    sync: SyncRunner | None = None  # default: ``sync_database`` with ``sources``
    batch: int = DEFAULT_BATCH
    queue: JobQueue | None = None

    def __post_init__(self) -> None:
        self.snapshots = Snapshots(self.advisory_db)
        self.named_packages = NamedPackages()

    def registry(self) -> HandlerRegistry:
        return HandlerRegistry(
            {
                INGEST: self.ingest,
                SCAN: self.scan,
                REEVALUATE: self.reevaluate,
                SYNC: self.advisory_sync,
                reports.KIND: reports.report_handler(self.engine, self.clock),
                sbom_export.KIND: sbom_export.sbom_export_handler(self.engine, self.clock),
            }
        )

    def attach(self, queue: JobQueue) -> None:
        self.queue = queue

    def close(self) -> None:
        self.snapshots.close()

    # -- handlers -----------------------------------------------------------------------------

    def ingest(self, ctx: JobContext) -> JSONValue:
        account, resource_id = _target(ctx.payload)
        document = ctx.payload.get("inventory")
        if not isinstance(document, dict):
            raise PermanentError("ingest-inventory needs an inventory (a vigil-json object)")
        try:
            inventory = load_inventory(document)
        except InvalidSbom as exc:
            raise PermanentError(str(exc)) from None
        return self._ingest(account, resource_id, inventory, _time(ctx.payload.get("scannedAt")))

    def scan(self, ctx: JobContext) -> JSONValue:
        account, resource_id = _target(ctx.payload)
        ingestor = self._ingestor()
        try:
            stored = ingestor.resource(account, resource_id)
        except (UnknownResource, ResourceRemoved) as exc:
            raise PermanentError(str(exc)) from None
        spec = ctx.payload.get("target") or stored.resource.target
        if not isinstance(spec, str) or not spec:
            raise PermanentError(f"resource {resource_id!r} has no target to scan")
        scanned_at = self.clock()
        try:
            inventory = scan_inventory(spec)
        except TargetError as exc:
            ingestor.resources.set_scan_status(stored.pk, "INACTIVE", "INVALID_ARTIFACT")
            raise PermanentError(f"{spec}: {exc}") from None
        return self._ingest(account, resource_id, inventory, scanned_at)

    def reevaluate(self, ctx: JobContext) -> JSONValue:
        payload = ctx.payload
        evaluator = self.snapshots.current()
        reevaluator = Reevaluator(
            self.engine,
            evaluator,
            clock=self.clock,
            batch=self.batch,
            new_id=self.new_id,
            cache=self.named_packages,
        )
        scope: frozenset[str] | None = None
        keys: list[tuple[str, str]] = []
        everything = payload.get("all") is True
        if everything:
            pks = reevaluator.everything()
        elif isinstance(payload.get("keys"), list):
            keys = _keys(payload["keys"])
            pks = reevaluator.holding(keys)
            if "records" in payload:
                scope = diff_scope(evaluator.store, _strings(payload["records"]))
        elif isinstance(payload.get("vulnerabilities"), list):
            scope = frozenset(_strings(payload["vulnerabilities"]))
            pks = reevaluator.with_vulnerabilities(scope)
        else:
            raise PermanentError("reevaluate needs keys, vulnerabilities or all")
        # "all" follows a new build or a whole new advisory set: every document is read again.
        report = reevaluator.run(pks, scope, keys, reread=everything)
        return {**report.to_json(), "scoped": scope is not None}  # type: ignore[dict-item]

    def advisory_sync(self, ctx: JobContext) -> JSONValue:
        outcomes = (self.sync or self._sync_database)(ctx.payload)
        follow_up = reevaluation_payload(outcomes)
        job: JobId | None = None
        if follow_up is not None:
            job = self._queue().submit(REEVALUATE, follow_up)
        return {
            "sources": [o.to_json() for o in outcomes],
            "reevaluate": job,
        }

    # -- helpers ------------------------------------------------------------------------------

    def _ingestor(self) -> Ingestor:
        return Ingestor(self.engine, self.snapshots.current, clock=self.clock, new_id=self.new_id)

    def _ingest(
        self, account: str, resource_id: str, inventory: Inventory, scanned_at: datetime | None
    ) -> JSONValue:
        try:
            outcome = self._ingestor().ingest(
                account, resource_id, inventory, scanned_at=scanned_at
            )
        except UnknownResource as exc:
            raise PermanentError(str(exc)) from None
        except ResourceRemoved:
            return {"skipped": "resource removed"}
        return {
            "resourcePk": outcome.resource_pk,
            "stale": outcome.stale,
            "findings": outcome.findings,
            "created": outcome.stats.created,
            "closed": outcome.stats.closed,
        }

    def _queue(self) -> JobQueue:
        if self.queue is None:
            raise RuntimeError("no job queue attached to the service's handlers")
        return self.queue

    def _sync_database(self, payload: Mapping[str, JSONValue]) -> Sequence[SourceOutcome]:
        sources = _strings(payload.get("sources"))
        ecosystems = _strings(payload.get("ecosystems"))
        summary = sync_database(
            self.advisory_db,
            self.sources,
            sources=sources or SOURCES,
            ecosystems=ecosystems or None,
            clock=self.clock,
        )
        return summary.outcomes


def _target(payload: Mapping[str, JSONValue]) -> tuple[str, str]:
    account, resource_id = payload.get("accountId"), payload.get("resourceId")
    if not isinstance(account, str) or not isinstance(resource_id, str):
        raise PermanentError("the job needs accountId and resourceId strings")
    return account, resource_id


def _time(value: JSONValue) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise PermanentError(f"not an ISO 8601 time: {value!r}") from None
    if moment.tzinfo is None:
        raise PermanentError("scannedAt needs a time zone")
    return moment


def _keys(raw: Any) -> list[tuple[str, str]]:
    keys = []
    for item in raw:
        if not (
            isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)
        ):
            raise PermanentError("keys are [ecosystem, name] pairs of strings")
        keys.append((item[0], item[1]))
    return keys


def _strings(value: JSONValue) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PermanentError("sources and ecosystems are lists of strings")
    return [str(v) for v in value]
