"""Continuous re-evaluation at fleet scale, end to end through the job backend.

``python -m benchmarks.service_reevaluate [--resources N] [--ingest M] [--batch B]
[--backend sqlite|postgresql|both]``

The advisory store holds the OSV fixtures of tests/data/osv. Each resource is a Debian 11 host
with about 250 packages: 200 drawn from a pool of 600 that no advisory names (in one of three
versions each, so the matcher sees thousands of distinct packages), openssl and apache2 at one
of several real bullseye versions, jinja2 on some, and aiohttp 3.7.3 on every one.

1. ingest of M inventories through ``Ingestor`` (one transaction per resource);
2. N resources stored and evaluated, then an advisory for aiohttp lands in a drop folder, the
   ``advisory-sync`` job runs it (triggered on demand, as the schedule would), its diff queues
   ``reevaluate``, and the clock stops when that job has finished: every resource then carries
   the new finding. Reported: the whole chain, the sync alone, and the time from the sync
   returning to the finding being ACTIVE on every resource. Run twice: with the server's
   in-memory cache of named packages warm, and emptied as after a restart (the named entries
   stored with each inventory then answer).

SQLite uses a file in a temporary directory; PostgreSQL a database created for the run on
127.0.0.1 and dropped.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, select

from benchmarks.databases import bench_database
from vigil.advisories.sources.osv_local import OsvDirectorySource
from vigil.advisories.store import AdvisoryStore
from vigil.db.checkpoint import WalCheckpointer
from vigil.db.engine import write_transaction
from vigil.db.migrate import upgrade
from vigil.db.resources import ResourceStore
from vigil.db.tables import findings
from vigil.domain import Ecosystem, Inventory, Package, parse_osv
from vigil.jobs import EmbeddedBackend, JobId, JobStatus, RunnerSettings
from vigil.service.advisory_sync import advisory_job, run_jobs
from vigil.service.evaluation import Evaluator
from vigil.service.ingest import Ingestor, stored_inventory
from vigil.service.job_handlers import SYNC_SCHEDULE, ServiceJobs, advisory_schedule
from vigil.service.package_cache import NamedPackages
from vigil.service.reevaluate import Reevaluator
from vigil.service.resource_shapes import host

ACCOUNT = "111122223333"
OSV = Path(__file__).resolve().parents[1] / "tests" / "data" / "osv"
DEBIAN = Ecosystem.parse("Debian:11")
PYPI = Ecosystem.parse("PyPI")
T0 = datetime(2026, 6, 1, tzinfo=UTC)
# Real bullseye versions of the two sources, from the release to the later point releases.
OPENSSL = ("1.1.1k-1+deb11u1", "1.1.1n-0+deb11u3", "1.1.1n-0+deb11u5", "1.1.1w-0+deb11u1")
APACHE = ("2.4.48-3.1", "2.4.54-1~deb11u1", "2.4.56-1~deb11u2", "2.4.62-1~deb11u1")


def _deb(name: str, version: str, source: str | None = None) -> Package:
    purl = f"pkg:deb/debian/{name}@{version.replace('+', '%2B')}?arch=amd64&distro=debian-11"
    return Package(
        name, version, DEBIAN, purl, "dpkg", (), source, version if source else None, "amd64"
    )


def _pypi(name: str, version: str) -> Package:
    return Package(name, version, PYPI, f"pkg:pypi/{name}@{version}", "python")


def fleet_inventory(n: int) -> Inventory:
    rng = random.Random(n)
    filler = [
        _deb(f"libvigil-bench{i}", f"1.{rng.randrange(3)}-1") for i in rng.sample(range(600), 200)
    ]
    packages = [
        *filler,
        _deb("libssl1.1", rng.choice(OPENSSL), "openssl"),
        _deb("openssl", rng.choice(OPENSSL), "openssl"),
        _deb("apache2-bin", rng.choice(APACHE), "apache2"),
        _pypi("aiohttp", "3.7.3"),
    ]
    if n % 3 == 0:
        packages.append(_pypi("jinja2", "2.10"))
    return Inventory(f"agent:host-{n}", tuple(packages), DEBIAN)


def build_advisories(path: Path) -> None:
    with AdvisoryStore(path) as store, store.batch("fixtures", complete=False) as batch:
        for folder in ("pypi", "npm", "go", "alpine", "debian"):
            for record in sorted((OSV / folder).glob("[A-Z]*.json")):
                doc = json.loads(record.read_text())
                batch.put(parse_osv(doc, missing_modified=T0))
        batch.commit(None)


def landing_record(folder: Path, n: int) -> str:
    """A new aiohttp advisory, shaped after a real one (PYSEC-2021-76); its CVE id."""
    doc = json.loads((OSV / "pypi" / "PYSEC-2021-76.json").read_text())
    cve = f"CVE-2099-{n:04d}"
    doc.update(id=f"PYSEC-2099-{n}", aliases=[cve], modified="2026-06-02T00:00:00Z")
    doc["affected"] = [
        {
            "package": {"name": "aiohttp", "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "9.9"}]}],
        }
    ]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"PYSEC-2099-{n}.json").write_text(json.dumps(doc))
    return cve


def bench_ingest(engine: Engine, store_path: Path, count: int) -> None:
    resources = ResourceStore(engine, clock=lambda: T0)
    for n in range(count):
        resources.upsert(host(ACCOUNT, f"i-ingest{n:09d}", region="eu-west-1"))
    with AdvisoryStore(store_path, create=False) as store:
        evaluator = Evaluator(store)
        ingestor = Ingestor(engine, lambda: evaluator, clock=lambda: T0)
        inventories = [fleet_inventory(n) for n in range(count)]
        started = time.perf_counter()
        for n, inventory in enumerate(inventories):
            ingestor.ingest(ACCOUNT, f"i-ingest{n:09d}", inventory)
        took = time.perf_counter() - started
    print(f"  ingest {count:,} inventories: {took:.1f} s ({count / took:,.0f}/s)", flush=True)


def seed_fleet(
    engine: Engine, store_path: Path, count: int, batch: int, cache: NamedPackages | None = None
) -> list[int]:
    """Store the fleet's inventories in bulk and evaluate them once (setup, not measured), as
    the server does when they arrive (which leaves its cache of named packages warm)."""
    resources = ResourceStore(engine, clock=lambda: T0)
    pks = []
    for start in range(0, count, 1000):
        with write_transaction(engine) as connection:
            for n in range(start, min(count, start + 1000)):
                pk = resources.upsert_in(
                    connection, host(ACCOUNT, f"i-{n:017x}", region="eu-west-1")
                )
                resources.save_inventory(connection, pk, stored_inventory(fleet_inventory(n), T0))
                pks.append(pk)
    with AdvisoryStore(store_path, create=False) as store:
        evaluator = Evaluator(store)
        Reevaluator(engine, evaluator, clock=lambda: T0, batch=batch, cache=cache).run(pks)
    return pks


def wait(backend: EmbeddedBackend, job: JobId) -> None:
    while not backend.get(job).status.finished:
        time.sleep(0.005)
    info = backend.get(job)
    if info.status is not JobStatus.SUCCEEDED:
        raise RuntimeError(f"{info.kind} failed: {info.error}")


def bench_chain(
    engine: Engine, store_path: Path, directory: Path, count: int, batch: int, earlier: int
) -> None:
    drop = directory / "drop"
    source = OsvDirectorySource(drop, name="drop", complete=False)
    synced: list[float] = []

    def sync(_: object) -> object:
        with AdvisoryStore(store_path, create=False) as store:
            outcome = run_jobs(store, [advisory_job(source, workers=1)], None)
        synced.append(time.perf_counter())
        return outcome

    service = ServiceJobs(engine, store_path, sync=sync, batch=batch)  # type: ignore[arg-type]
    started = time.perf_counter()
    pks = seed_fleet(engine, store_path, count, batch, service.named_packages)
    if engine.dialect.name == "postgresql":
        # What autovacuum does on its own after a load like this one, done before the clock
        # runs instead of during it.
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE"
            )
    with engine.connect() as connection:
        before = connection.execute(select(func.count()).select_from(findings)).scalar_one()
    print(
        f"  setup: {count:,} resources, {before:,} findings "
        f"({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    backend = EmbeddedBackend(
        directory / "jobs.sqlite",
        service.registry(),
        RunnerSettings(workers=2, poll_interval=0.01),
        schedules=[advisory_schedule()],
    )
    service.attach(backend)
    checkpointer = WalCheckpointer(engine)  # as the server runs it (SQLite only)
    checkpointer.start()
    backend.start()
    try:
        # The schedule's first run starts with the backend; an on-demand sync joins a run of the
        # same key, so let that one finish before an advisory lands.
        wait(backend, backend.trigger_now(SYNC_SCHEDULE))
        for n, label in ((1, "warm"), (2, "cold")):
            if label == "cold":
                # As after a restart: the in-memory cache is empty, the entries stored with the
                # inventories answer.
                service.named_packages.clear()
            cve = landing_record(drop, n)
            synced.clear()
            started = time.perf_counter()
            sync_job = backend.trigger_now(SYNC_SCHEDULE)
            wait(backend, sync_job)
            result = backend.get(sync_job).result
            assert isinstance(result, dict)
            assert isinstance(result["reevaluate"], str)
            wait(backend, JobId(result["reevaluate"]))
            done = time.perf_counter()
            with engine.connect() as connection:
                active = connection.execute(
                    select(func.count())
                    .select_from(findings)
                    .where(findings.c.vulnerability_id == cve, findings.c.status == "ACTIVE")
                ).scalar_one()
            # Every resource holds aiohttp 3.7.3: the fleet and the resources of the ingest run.
            assert active == len(pks) + earlier, (active, len(pks), earlier)
            print(
                f"  advisory diff touching all {count + earlier:,} resources ({label} cache), "
                f"sync -> jobs -> every finding updated: {done - started:.2f} s "
                f"(sync {synced[0] - started:.2f} s; landing to ACTIVE everywhere "
                f"{done - synced[0]:.2f} s)",
                flush=True,
            )
    finally:
        backend.close()
        checkpointer.stop()
        service.close()


def run(backend: str, resources: int, ingest: int, batch: int) -> None:
    print(f"{backend}:", flush=True)
    with tempfile.TemporaryDirectory() as temp, bench_database(backend, Path(temp)) as engine:
        directory = Path(temp)
        upgrade(engine)
        store_path = directory / "advisories.db"
        build_advisories(store_path)
        bench_ingest(engine, store_path, ingest)
        bench_chain(engine, store_path, directory, resources, batch, ingest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--ingest", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=500, help="resources per transaction")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        run(backend, args.resources, args.ingest, args.batch)


if __name__ == "__main__":
    main()
