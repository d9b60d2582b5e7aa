"""Shared pieces of the ingest, re-evaluation and job handler tests.

A real advisory store built from the OSV fixtures (with NVD, KEV and EPSS synced from their
real files, as tests/service/test_scan.py does), inventories of real package versions that
those advisories affect, and deterministic clocks and finding ids.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from tests.advisories.conftest import doc_of
from tests.advisories.enriched import build_enriched_store
from vigil.advisories.diff import SyncDiff
from vigil.advisories.sources.osv_local import OsvDirectorySource
from vigil.advisories.store import AdvisoryStore
from vigil.advisories.sync import sync
from vigil.db.tables import findings
from vigil.domain import Ecosystem, Inventory, Package
from vigil.domain.resource import Resource
from vigil.service import resource_shapes as shapes

ACCOUNT = "111122223333"
OTHER_ACCOUNT = "444455556666"
REGION = "eu-west-1"
SYNCED = datetime(2026, 3, 1, tzinfo=UTC)
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DEBIAN_11 = Ecosystem.parse("Debian:11")


def build_store(directory: Path) -> Path:
    """The OSV fixtures plus NVD, KEV and EPSS from their real files, in a new store."""
    return build_enriched_store(directory, SYNCED)


def deb(name: str, version: str, source: str | None = None) -> Package:
    """An installed Debian 11 binary package built from ``source`` (same version)."""
    upstream = f"&upstream={source}" if source else ""
    purl_version = version.replace("+", "%2B")
    return Package(
        name,
        version,
        DEBIAN_11,
        f"pkg:deb/debian/{name}@{purl_version}?arch=amd64&distro=debian-11{upstream}",
        "dpkg",
        source_name=source,
        source_version=version if source else None,
        arch="amd64",
    )


def pypi(name: str, version: str) -> Package:
    return Package(name, version, Ecosystem.parse("PyPI"), f"pkg:pypi/{name}@{version}", "python")


# Versions as released, before the fixes the fixture advisories record.
APACHE_OLD = deb("apache2-bin", "2.4.48-3.1", "apache2")
OPENSSL_OLD = deb("libssl1.1", "1.1.1k-1+deb11u1", "openssl")
OPENSSL_FIXED = deb("libssl1.1", "1.1.1w-0+deb11u1", "openssl")
AIOHTTP_OLD = pypi("aiohttp", "3.7.3")
AIOHTTP_FIXED = pypi("aiohttp", "3.99.0")
JINJA_OLD = pypi("jinja2", "2.10")


def inventory(*packages: Package, target: str = "agent:host") -> Inventory:
    distro = DEBIAN_11 if any(p.ecosystem.is_os for p in packages) else None
    return Inventory(target, tuple(packages), distro, catalogers=(("dpkg", "1"), ("python", "1")))


def host(n: int, account: str = ACCOUNT, **tags: str) -> Resource:
    return shapes.host(account, f"i-{n:017x}", region=REGION, tags=tags or None)


class StepClock:
    """A clock the test moves by hand; safe to read from worker threads."""

    def __init__(self, start: datetime = T0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta = timedelta(hours=1)) -> datetime:
        with self._lock:
            self._now += delta
            return self._now


def sequential_ids(prefix: int = 0) -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"{prefix:08x}{next(counter):024x}"


def finding_rows(engine: Engine, pk: int | None = None) -> dict[str, dict[str, Any]]:
    """Stored findings by vulnerability id (of one resource, or all keyed ``pk/vid``)."""
    query = select(findings)
    if pk is not None:
        query = query.where(findings.c.resource_pk == pk)
    with engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(query)]
    if pk is not None:
        return {r["vulnerability_id"]: r for r in rows}
    return {f"{r['resource_pk']}/{r['vulnerability_id']}": r for r in rows}


def new_record(
    record_id: str, alias: str, package: str, ecosystem: str, fixed: str
) -> dict[str, Any]:
    """A new advisory for a package, shaped after a real PyPA record (PYSEC-2021-76)."""
    doc = copy.deepcopy(doc_of("PYSEC-2021-76"))
    doc["id"] = record_id
    doc["aliases"] = [alias]
    doc["modified"] = "2026-03-02T00:00:00Z"
    doc["published"] = "2026-03-02T00:00:00Z"
    doc["summary"] = f"{package} mishandles input (test advisory)"
    doc.pop("details", None)
    doc["affected"] = [
        {
            "package": {"name": package, "ecosystem": ecosystem},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
        }
    ]
    return doc


def sync_records(store_path: Path, folder: Path, records: Iterable[dict[str, Any]]) -> SyncDiff:
    """Drop records into a folder and sync it (an update drop, not a complete snapshot)."""
    folder.mkdir(parents=True, exist_ok=True)
    for record in records:
        (folder / f"{record['id']}.json").write_text(json.dumps(record))
    with AdvisoryStore(store_path, create=False) as store:
        report = sync(store, OsvDirectorySource(folder, name="drop", complete=False), workers=1)
    return report.diff
