"""The world the isolation test walks: an organisation with real data in two accounts.

M is the management account, D the delegated administrator with member A, and B stands alone.
A and B each hold a host with real vulnerable packages (findings made by the real matcher), a
tagged filter, custom deep inspection paths, a finished findings report and a finished SBOM
export, each written to the account's own local bucket. ``Ids`` collects every identifier of an
account's data, which no answer to another account may carry.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.api.export_support import KMS_KEY, destinations
from tests.api.org_support import A, B, D, Org, build_org
from tests.apiserver import LiveApi
from tests.service.ingest_support import (
    AIOHTTP_OLD,
    JINJA_OLD,
    OPENSSL_OLD,
    StepClock,
    build_store,
    host,
    inventory,
    sequential_ids,
)
from vigil.advisories.store import AdvisoryStore
from vigil.api import ServerThread, create_app
from vigil.jobs import EmbeddedBackend, HandlerRegistry, RunnerSettings
from vigil.service import reports, sbom_export
from vigil.service.api_context import ApiServices
from vigil.service.database import open_database
from vigil.service.evaluation import Snapshots
from vigil.service.ingest import Ingestor
from vigil.service.keys import KeyService
from vigil.service.master_key import load_master_key
from vigil.service.resources import ResourceService

CRITERIA = {"severity": [{"comparison": "NOT_EQUALS", "value": "INFORMATIONAL"}]}


@dataclass
class Ids:
    """Everything that names one account's data."""

    account: str
    findings: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    filter_arn: str = ""
    report_id: str = ""
    export_id: str = ""
    tag_value: str = ""
    package_path: str = ""

    def all(self) -> set[str]:
        named = {self.account, self.filter_arn, self.report_id, self.export_id, self.tag_value}
        return {*named, self.package_path, *self.findings, *self.resources} - {""}


@dataclass
class World:
    org: Org
    ids: dict[str, Ids]
    buckets: dict[str, Path]

    def client(self, account: str) -> Any:
        return self.org.client(account)

    def bucket_text(self, account: str) -> str:
        """Everything written to ``account``'s local bucket."""
        files = sorted(p for p in self.buckets[account].rglob("*") if p.is_file())
        return "\n".join(p.read_text(errors="replace") for p in files)


def wait(get: Callable[[], dict[str, Any]], timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        answer = get()
        if answer["status"] != "IN_PROGRESS" or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def destination(account: str) -> dict[str, str]:
    return {"bucketName": f"bucket-{account}", "keyPrefix": "out", "kmsKeyArn": KMS_KEY}


@contextmanager
def isolation_world(root: Path) -> Iterator[World]:
    data_dir = root / "data"
    advisory_db = build_store(root)
    buckets = {account: root / f"bucket-{account}" for account in (A, B, D)}
    for path in buckets.values():
        path.mkdir()
    where = destinations(None, {f"bucket-{account}": path for account, path in buckets.items()})
    clock = StepClock()
    engine = open_database(data_dir, None)
    registry = HandlerRegistry(
        {
            reports.KIND: reports.report_handler(engine, clock, where),
            sbom_export.KIND: sbom_export.sbom_export_handler(engine, clock, where),
        }
    )
    backend = EmbeddedBackend(
        data_dir / "jobs.sqlite", registry, RunnerSettings(workers=1, poll_interval=0.02)
    )
    services = ApiServices(
        engine=engine,
        keys=KeyService(engine, load_master_key(data_dir)),
        jobs=backend,
        advisories=lambda: AdvisoryStore(advisory_db, create=False),
    )
    backend.start()
    try:
        with ServerThread(create_app(services)) as server:
            org = build_org(LiveApi(server.url, data_dir, None, services))
            ids = {A: Ids(A), B: Ids(B)}
            _populate(engine, advisory_db, clock, ids)
            for account in (A, B):
                _account_data(org, ids[account])
            yield World(org, ids, buckets)
    finally:
        backend.stop(timeout=10)
        backend.close()
        engine.dispose()


def _populate(engine: Any, advisory_db: Path, clock: StepClock, ids: dict[str, Ids]) -> None:
    service = ResourceService(engine, clock=clock)
    snapshots = Snapshots(advisory_db)
    try:
        ingestor = Ingestor(engine, snapshots.current, clock=clock, new_id=sequential_ids())
        for n, account in enumerate((A, B), start=1):
            resource = host(n, account=account, Owner=f"owner-{account}")
            service.register(resource)
            held = inventory(OPENSSL_OLD, AIOHTTP_OLD, JINJA_OLD)
            ingestor.ingest(account, resource.resource_id, held, scanned_at=clock())
            ids[account].resources.append(resource.resource_id)
    finally:
        snapshots.close()


def _account_data(org: Org, ids: Ids) -> None:
    client = org.client(ids.account)
    listed = client.list_findings(maxResults=100)["findings"]
    ids.findings = [finding["findingArn"] for finding in listed]
    assert ids.findings, f"account {ids.account} has no findings to protect"
    ids.tag_value = f"tag-of-{ids.account}"
    ids.filter_arn = client.create_filter(
        name=f"filter-{ids.account}",
        action="NONE",
        filterCriteria=CRITERIA,
        tags={"owner": ids.tag_value},
    )["arn"]
    ids.package_path = f"/opt/paths-of-{ids.account}"
    client.update_ec2_deep_inspection_configuration(packagePaths=[ids.package_path])
    ids.report_id = client.create_findings_report(
        reportFormat="JSON", s3Destination=destination(ids.account)
    )["reportId"]
    done = wait(lambda: client.get_findings_report_status(reportId=ids.report_id))
    assert done["status"] == "SUCCEEDED", done
    ids.export_id = client.create_sbom_export(
        reportFormat="CYCLONEDX_1_4", s3Destination=destination(ids.account)
    )["reportId"]
    done = wait(lambda: client.get_sbom_export(reportId=ids.export_id))
    assert done["status"] == "SUCCEEDED", done


def text(answer: Any) -> str:
    return json.dumps(answer, default=str, sort_keys=True)
