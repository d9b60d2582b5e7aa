"""ListFindings latency at 1,000,000 findings over 10,000 resources, on SQLite and PostgreSQL.

The store is built in bulk (benchmarks/findings_data.py), migrated with Vigil's own migrations,
and its statistics gathered once the load is done (ANALYZE on SQLite, VACUUM ANALYZE on
PostgreSQL: what autovacuum does on a running server after such a load; without statistics the
planners guess). Then each typical query (severity, status, resource, vulnerability id, package
name, and the sorts) runs many times with varied values through
``vigil.db.finding_query.list_findings``, as a delegated administrator that sees all ten accounts
(the widest scope) and as one member account; every other run also fetches the second page.
Reported: p50 and p99 per query in milliseconds (the goal is p99 < 100 ms on both stores), and
how many of the timed calls included a full collection by Python's garbage collector, which walks
every object of the process and costs this process tens of milliseconds on a small machine.

Usage: python -m benchmarks.findings_query [--backend sqlite|postgresql|both] [--resources N]
       [--per-resource N] [--runs N] [--keep DIR] [--database URL] [--no-frozen-heap]
(--keep leaves the loaded store behind and prints its URL; --database measures it again;
the heap is frozen first as the server freezes it, see run_queries; --no-frozen-heap does not)
(results also written to benchmarks/results/findings_query.json)
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import Connection, Engine

from benchmarks import findings_data
from vigil.db.engine import open_engine
from vigil.db.finding_query import Sort, SortField, SortOrder, list_findings
from vigil.db.migrate import upgrade
from vigil.domain.filter_criteria import parse_filter_criteria

RESULTS = Path(__file__).with_name("results") / "findings_query.json"
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"

Query = Callable[[random.Random, int], tuple[dict[str, Any], Sort | None]]


def _eq(value: str) -> list[dict[str, str]]:
    return [{"comparison": "EQUALS", "value": value}]


QUERIES: dict[str, Query] = {
    "status ACTIVE (default order)": lambda rng, n: ({"findingStatus": _eq("ACTIVE")}, None),
    "severity CRITICAL + ACTIVE": lambda rng, n: (
        {"severity": _eq("CRITICAL"), "findingStatus": _eq("ACTIVE")},
        None,
    ),
    "severity HIGH|CRITICAL, sort SEVERITY DESC": lambda rng, n: (
        {"severity": _eq("HIGH") + _eq("CRITICAL")},
        Sort(SortField.SEVERITY, SortOrder.DESC),
    ),
    "resource id": lambda rng, n: ({"resourceId": _eq(_host(rng, n))}, None),
    "vulnerability id": lambda rng, n: (
        {"vulnerabilityId": _eq(findings_data.vulnerability_id(rng.randrange(20_000)))},
        None,
    ),
    "package name": lambda rng, n: (
        {"vulnerablePackages": [{"name": _eq(findings_data.package_name(rng.randrange(2000)))[0]}]},
        None,
    ),
    "ACTIVE, sort SEVERITY DESC": lambda rng, n: (
        {"findingStatus": _eq("ACTIVE")},
        Sort(SortField.SEVERITY, SortOrder.DESC),
    ),
    "sort LAST_OBSERVED_AT DESC": lambda rng, n: (
        {},
        Sort(SortField.LAST_OBSERVED_AT, SortOrder.DESC),
    ),
    "sort FIRST_OBSERVED_AT ASC": lambda rng, n: (
        {},
        Sort(SortField.FIRST_OBSERVED_AT, SortOrder.ASC),
    ),
    "sort INSPECTOR_SCORE DESC": lambda rng, n: (
        {},
        Sort(SortField.INSPECTOR_SCORE, SortOrder.DESC),
    ),
    "sort EPSS_SCORE DESC": lambda rng, n: ({}, Sort(SortField.EPSS_SCORE, SortOrder.DESC)),
    "sort VULNERABILITY_ID ASC": lambda rng, n: (
        {},
        Sort(SortField.VULNERABILITY_ID, SortOrder.ASC),
    ),
}


def _host(rng: random.Random, n_resources: int) -> str:
    # Resource i is a host when its generator roll said so; ids of other kinds also resolve
    # (the query is the same), so any index is a fair pick.
    return f"i-{rng.randrange(n_resources):017x}"


class FullCollections:
    """Counts collections of the oldest generation while installed in ``gc.callbacks``."""

    OLDEST = 2

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == self.OLDEST:
            self.count += 1


def run_queries(
    engine: Engine, n_resources: int, runs: int, *, frozen_heap: bool = False
) -> dict[str, dict[str, float]]:
    """Every query in both scopes. With ``frozen_heap`` the objects alive before the queries
    (modules, the engine) are moved out of the collector's sight first (``gc.freeze``), as
    ``vigil server`` freezes its heap once started: a full collection then walks only
    what the queries leave, instead of the whole process."""
    scopes = {
        "admin (10 accounts)": findings_data.ACCOUNTS,
        "member (1 account)": findings_data.ACCOUNTS[:1],
    }
    out: dict[str, dict[str, float]] = {}
    collections = FullCollections()
    if frozen_heap:
        gc.collect()
        gc.freeze()
    gc.callbacks.append(collections)
    try:
        with engine.connect() as connection:
            for scope_name, accounts in scopes.items():
                for name in QUERIES:
                    key = f"{scope_name}: {name}"
                    out[key] = _measure(connection, accounts, name, n_resources, runs, collections)
                    figures = out[key]
                    print(
                        f"  {key:<64} p50 {figures['p50_ms']:7.2f} ms"
                        f"  p99 {figures['p99_ms']:7.2f} ms  rows {figures['mean_rows']:5.1f}"
                        f"  full gc {figures['full_gc_calls']}",
                        flush=True,
                    )
    finally:
        gc.callbacks.remove(collections)
        gc.unfreeze()
    return out


def _measure(
    connection: Connection,
    accounts: tuple[str, ...],
    name: str,
    n_resources: int,
    runs: int,
    collections: FullCollections,
) -> dict[str, float]:
    """p50 and p99 of ``runs`` timed calls of one query (after three untimed ones)."""
    rng = random.Random(name)
    times: list[float] = []
    rows = 0
    full_gc_calls = 0
    for i in range(runs + 3):
        wire, sort = QUERIES[name](rng, n_resources)
        criteria = parse_filter_criteria(wire)
        before = collections.count
        start = time.perf_counter()
        page = list_findings(connection, accounts, criteria, sort=sort, max_results=100)
        if page.next_token and i % 2:
            # Every other run also fetches the second page, as a paginator does.
            page = list_findings(
                connection,
                accounts,
                criteria,
                sort=sort,
                max_results=100,
                next_token=page.next_token,
            )
        elapsed = (time.perf_counter() - start) * 1000
        if i >= 3:
            times.append(elapsed)
            rows += len(page.rows)
            full_gc_calls += collections.count > before
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 2),
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2),
        "mean_rows": round(rows / len(times), 1),
        "full_gc_calls": full_gc_calls,
    }


def bench_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    if args.database:
        engine = open_engine(args.database)
        try:
            print(f"== {backend}: the store at {engine.url!r}", flush=True)
            return {
                "queries": run_queries(
                    engine, args.resources, args.runs, frozen_heap=args.frozen_heap
                )
            }
        finally:
            engine.dispose()
    print(f"== {backend}: building {args.resources * args.per_resource:,} findings", flush=True)
    database = None
    if backend == "sqlite":
        directory = Path(args.keep or tempfile.mkdtemp(prefix="vigil-bench-"))
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "findings.db"
        path.unlink(missing_ok=True)
        engine = open_engine(f"sqlite:///{path}")
    else:
        database = f"vigil_bench_{secrets.token_hex(4)}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        engine = open_engine(f"postgresql://postgres@127.0.0.1:5432/{database}")
    try:
        upgrade(engine)
        start = time.perf_counter()
        total = findings_data.load(engine, args.resources, args.per_resource)
        load_s = time.perf_counter() - start
        print(f"  loaded {total:,} findings in {load_s:.1f} s", flush=True)
        if args.keep:
            print(f"  kept at {engine.url!r} (measure it again with --database)", flush=True)
        result: dict[str, Any] = {
            "findings": total,
            "load_s": round(load_s, 1),
            "frozen_heap": args.frozen_heap,
        }
        result["queries"] = run_queries(
            engine, args.resources, args.runs, frozen_heap=args.frozen_heap
        )
        return result
    finally:
        engine.dispose()
        if database is not None and not args.keep:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--resources", type=int, default=10_000)
    parser.add_argument("--per-resource", type=int, default=100)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--keep", help="keep the SQLite file in this directory (and the PG db)")
    parser.add_argument(
        "--database",
        help="measure the store a --keep run left at this URL instead of building one "
        "(with --backend sqlite or postgresql, and the same --resources)",
    )
    parser.add_argument(
        "--frozen-heap",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="freeze the objects alive before the queries (gc.freeze), as `vigil server` does "
        "once started; full collections then walk only what the queries leave (default: on)",
    )
    args = parser.parse_args()
    if args.database and args.backend == "both":
        parser.error("--database measures one store: name its --backend")
    backends = ("sqlite", "postgresql") if args.backend == "both" else (args.backend,)
    results = {b: bench_backend(b, args) for b in backends}
    figures = [q["p99_ms"] for r in results.values() for q in r["queries"].values()]
    print(f"worst p99: {max(figures):.2f} ms (goal < 100 ms)")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
