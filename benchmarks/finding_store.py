"""The finding store at scale: ingest, then re-evaluation after an advisory diff.

``python -m benchmarks.finding_store [--resources N] [--findings M] [--batch B] [--backend ...]``

Builds N resources with M package findings each (realistic Inspector documents), ingesting them
through ``reconcile`` and ``FindingStore`` in batches of B resources per transaction. Then:

- advisory diff: a diff touching one package present on every resource (one advisory rescored,
  one new advisory) is re-evaluated with a reconcile scoped to those two vulnerability ids, as
  the service does after a sync: only those findings are loaded and written;
- full rescan: every resource observed again in full (M-1 findings unchanged, the rescored one,
  the new one), every finding's lastObservedAt moves.

Reported: wall time of each phase. SQLite uses a file in a temporary directory; PostgreSQL a
database created for the run on 127.0.0.1 and dropped after it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from benchmarks.databases import bench_database
from vigil.db.finding_store import FindingStore
from vigil.db.migrate import upgrade
from vigil.db.resources import ResourceStore
from vigil.db.tables import findings
from vigil.domain import Observation, Resource, ResourceType
from vigil.findings.lifecycle import finding_arns
from vigil.findings.reconcile import reconcile

ACCOUNT = "111122223333"
T0 = datetime(2026, 6, 1, tzinfo=UTC)


def _document(vid: str, package: str, severity: str) -> dict[str, object]:
    return {
        "type": "PACKAGE_VULNERABILITY",
        "title": f"{vid} - {package}",
        "description": "A flaw.",
        "severity": severity,
        "inspectorScore": 7.5,
        "epss": {"score": 0.0012},
        "exploitAvailable": "NO",
        "fixAvailable": "YES",
        "remediation": {"recommendation": {"text": "None Provided"}},
        "packageVulnerabilityDetails": {
            "vulnerabilityId": vid,
            "source": "DEBIAN_CVE",
            "vulnerablePackages": [
                {
                    "name": package,
                    "version": "1.2.3",
                    "epoch": 0,
                    "release": "1",
                    "arch": "X86_64",
                    "packageManager": "OS",
                    "fixedInVersion": "1.2.4",
                }
            ],
        },
    }


def _observations(findings_per_resource: int, diffed: bool) -> list[Observation]:
    found = [
        Observation.of(f"CVE-2025-{n:05d}", _document(f"CVE-2025-{n:05d}", f"pkg{n}", "HIGH"))
        for n in range(findings_per_resource)
    ]
    if diffed:
        # The advisory diff: one package's advisory is rescored and a new one appears.
        found[0] = Observation.of("CVE-2025-00000", _document("CVE-2025-00000", "pkg0", "CRITICAL"))
        found.append(Observation.of("CVE-2026-99999", _document("CVE-2026-99999", "pkg0", "LOW")))
    return found


def _round(
    store: FindingStore,
    pks: list[int],
    observed: list[Observation],
    now: datetime,
    batch: int,
    scope: set[str] | None = None,
) -> float:
    new_arn = finding_arns("eu-west-1", ACCOUNT)
    started = time.perf_counter()
    for start in range(0, len(pks), batch):
        chunk = pks[start : start + batch]
        with store.transaction() as tx:
            current = tx.load(chunk, vulnerability_ids=scope)
            tx.apply(
                [
                    reconcile(
                        current[pk],
                        observed,
                        resource_pk=pk,
                        now=now,
                        new_arn=new_arn,
                        scope=scope,
                    )
                    for pk in chunk
                ]
            )
    return time.perf_counter() - started


def run(backend: str, resources: int, per_resource: int, batch: int) -> None:
    with tempfile.TemporaryDirectory() as temp, bench_database(backend, Path(temp)) as engine:
        upgrade(engine)
        store = FindingStore(engine)
        resource_store = ResourceStore(engine, clock=lambda: T0)
        pks = [
            resource_store.upsert(
                Resource(ACCOUNT, f"i-{n:017x}", ResourceType.AWS_EC2_INSTANCE, "eu-west-1")
            )
            for n in range(resources)
        ]
        total = resources * per_resource
        ingest = _round(store, pks, _observations(per_resource, False), T0, batch)
        print(
            f"{backend}: ingest {total:,} findings over {resources:,} resources: "
            f"{ingest:.1f} s ({total / ingest:,.0f} findings/s)"
        )
        diffed = _observations(per_resource, True)
        scope = {"CVE-2025-00000", "CVE-2026-99999"}
        in_scope = [o for o in diffed if o.vulnerability_id in scope]
        diff = _round(store, pks, in_scope, T0 + timedelta(hours=1), batch, scope)
        print(f"{backend}: advisory diff re-evaluated on {resources:,} resources: {diff:.1f} s")
        rescan = _round(store, pks, diffed, T0 + timedelta(hours=2), batch)
        print(
            f"{backend}: full rescan of {resources:,} resources: {rescan:.1f} s "
            f"({resources * per_resource / rescan:,.0f} findings/s)"
        )
        with engine.connect() as connection:
            count = connection.execute(select(func.count()).select_from(findings)).scalar()
        assert count == total + resources, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--findings", type=int, default=100, help="findings per resource")
    parser.add_argument("--batch", type=int, default=200, help="resources per transaction")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        run(backend, args.resources, args.findings, args.batch)


if __name__ == "__main__":
    main()
