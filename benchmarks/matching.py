"""Matching throughput against a 500,000-record advisory store, and a warm scan's matching time.

Run from the repository root: ``.venv/bin/python -m benchmarks.matching [--lookups 50000]``.
The store is ``matching_store``'s (built once, then reused from the cache). Measurements run
pinned to one CPU (``os.sched_setaffinity``, as ``taskset -c 0`` would), after the store file
has been read once so that the OS page cache holds it, as on a server that matches all day.

A *lookup* is one (ecosystem, name, version) package decided against the store. Package sets
follow the ecosystem mix of the Debian 12 fixture's inventory (40 % OS packages by source name
and release, two in three Debian and one in three Alpine, 36 % npm, 13 % Go, 7 % Maven, 4 %
PyPI); ``--present`` of them (30 % by default) name a package the store has advisories for,
at a version one of its entries names (introduced, fixed or listed: so some match and some do
not), and the rest are names the store does not know, which is most packages of a real image.
The synthetic corpus holds no Maven records, so Maven packages are always absent.

Reported, each with CPU and wall time and the load average beside them:

- cold: a fresh store connection and matcher, ``match()`` over distinct packages, so that no
  answer, compiled entry or candidate list is remembered from before;
- cold, one at a time: the same with ``match_package`` per package, for latency percentiles;
- fleet: a matcher that has seen these names already asked about new versions of them
  (compiled entries warm, answers not);
- warm: the same packages asked again (remembered answers);
- the same four with every package present (the worst case);
- warm scan: 300 packages of the Debian 12 fixture's inventory (if it is built; else drawn like
  the rest), each renamed to a package of the store of its ecosystem, chosen in proportion to
  its number of advisories (popular packages have many), matched by a fresh store and matcher
  after a first scan warmed the page cache: the matching a warm ``vigil scan`` does.

Results are also written to benchmarks/results/matching.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from itertools import accumulate
from pathlib import Path
from typing import Any

from scripts.fixtures import debian12
from scripts.fixtures.tools import FixtureUnavailable

from benchmarks.matching_store import StoredKey, ensure_store, stored_keys
from vigil.advisories.store import AdvisoryStore
from vigil.domain import Ecosystem, Package
from vigil.matching import CandidateIndex, Matcher
from vigil.matching.scope import scope_of
from vigil.service.inventory import scan_inventory

RESULTS = Path(__file__).parent / "results" / "matching.json"
MIX = {"os": 0.40, "npm": 0.36, "Go": 0.13, "Maven": 0.07, "PyPI": 0.04}
OS_SPLIT = {"Debian": 2 / 3, "Alpine": 1 / 3}


def family(ecosystem: str) -> str:
    base = ecosystem.partition(":")[0]
    return base if base in ("npm", "Go", "Maven", "PyPI", "Debian", "Alpine") else "other"


def package(ecosystem: str, name: str, version: str) -> Package:
    return Package(
        name=name, version=version, ecosystem=Ecosystem.parse(ecosystem), purl="", cataloger="b"
    )


class Draw:
    """Seeded package sets over the store's keys."""

    def __init__(self, keys: Sequence[StoredKey], seed: int) -> None:
        self.rng = random.Random(seed)
        self.by_family: dict[str, list[StoredKey]] = defaultdict(list)
        for key in keys:
            self.by_family[family(key.ecosystem)].append(key)
        self.releases = {f: sorted({k.ecosystem for k in ks}) for f, ks in self.by_family.items()}
        self.serial = 0
        self.cumulative: dict[str, list[int]] = {}

    def family(self) -> str:
        name = self.rng.choices(list(MIX), list(MIX.values()))[0]
        if name == "os":
            name = self.rng.choices(list(OS_SPLIT), list(OS_SPLIT.values()))[0]
        return name

    def present(self, fam: str, *, weighted: bool = False) -> Package | None:
        keys = self.by_family.get(fam)
        if not keys:
            return None
        if weighted:
            cumulative = self.cumulative.get(fam)
            if cumulative is None:
                cumulative = self.cumulative[fam] = list(accumulate(k.entries for k in keys))
            key = self.rng.choices(keys, cum_weights=cumulative)[0]
        else:
            key = self.rng.choice(keys)
        return package(key.ecosystem, key.name, self.rng.choice(key.versions))

    def absent(self, fam: str) -> Package:
        self.serial += 1
        releases = self.releases.get(fam) or [
            {"Debian": "Debian:12", "Alpine": "Alpine:v3.19"}.get(fam, fam)
        ]
        ecosystem = self.rng.choice(releases)
        name = f"absent-{fam.lower()}-{self.serial}"
        if fam == "Maven":
            name = f"org.example:{name}"
        elif fam == "Go":
            name = f"example.com/{name}"
        return package(ecosystem, name, "1.2.3")

    def packages(self, count: int, present: float) -> list[Package]:
        out: dict[tuple[str, str, str], Package] = {}
        while len(out) < count:
            fam = self.family()
            found = self.present(fam) if self.rng.random() < present else None
            item = found or self.absent(fam)
            out.setdefault((str(item.ecosystem), item.name, item.version), item)
        return list(out.values())


# --- measuring --------------------------------------------------------------------------------


class Clocks:
    """Wall and CPU seconds of one block."""

    def __enter__(self) -> Clocks:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def rates(count: int, clocks: Clocks) -> dict[str, float]:
    return {
        "lookups": count,
        "wall_s": round(clocks.wall, 4),
        "cpu_s": round(clocks.cpu, 4),
        "per_s_wall": round(count / clocks.wall),
        "per_s_cpu": round(count / clocks.cpu),
    }


def percentiles(values: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(values, n=100)
    return {f"p{q}": round(cuts[q - 1] * 1e6, 1) for q in (50, 90, 99)} | {
        "max": round(max(values) * 1e6, 1)
    }


def throughput(db: Path, packages: list[Package], later: list[Package]) -> dict[str, Any]:
    """Cold, fleet and warm rates for one package set (``later``: the same names, new versions)."""
    with AdvisoryStore(db, create=False) as store:
        matcher = Matcher(store)
        with Clocks() as cold:
            result = matcher.match(packages)
        with Clocks() as fleet:
            matcher.match(later)
        with Clocks() as warm:
            again = matcher.match(packages)
    assert again == result
    with AdvisoryStore(db, create=False) as store:
        single = Matcher(store)
        latencies = []
        for item in packages[:10_000]:
            started = time.perf_counter()
            single.match_package(item)
            latencies.append(time.perf_counter() - started)
    matched = len({(m.package.name, m.package.version) for m in result.matches})
    return {
        "packages_matched": matched,
        "matches": len(result.matches),
        "warnings": len(result.warnings),
        "cold": rates(len(packages), cold),
        "cold_one_at_a_time_us": percentiles(latencies),
        "cold_one_at_a_time_per_s": round(len(latencies) / sum(latencies)),
        "fleet": rates(len(later), fleet),
        "warm": rates(len(packages), warm),
    }


def new_versions(
    draw: Draw, packages: list[Package], keys: dict[tuple[str, str], StoredKey]
) -> list[Package]:
    """The same names at other versions (absent names get a patch bump)."""
    out = []
    for item in packages:
        key = keys.get((str(item.ecosystem), item.name))
        if key is None:
            out.append(package(str(item.ecosystem), item.name, "1.2.4"))
            continue
        choices = [v for v in key.versions if v != item.version] or [item.version]
        out.append(package(str(item.ecosystem), item.name, draw.rng.choice(choices)))
    return out


def scan_inventory_packages(draw: Draw, count: int) -> tuple[list[Package], str]:
    """``count`` packages of the Debian 12 fixture, renamed onto the store (see the module doc)."""
    try:
        fixture = debian12.ensure()
        real = list(scan_inventory(fixture.target("dir")).packages)
        origin = f"Debian 12 fixture ({len(real)} packages), {count} drawn"
    except FixtureUnavailable as exc:
        real = []
        origin = f"drawn: the Debian 12 fixture is unavailable ({exc})"
    if not real:
        return [
            draw.present(draw.family(), weighted=True) or draw.absent("Maven") for _ in range(count)
        ], origin
    chosen = draw.rng.sample(real, min(count, len(real)))
    out = []
    for item in chosen:
        fam = family(str(item.ecosystem))
        out.append(draw.present(fam, weighted=True) or draw.absent(fam))
    return out, origin


def warm_scan(db: Path, packages: list[Package]) -> dict[str, Any]:
    runs = []
    for _ in range(3):  # the first warms the page cache; a scan is a fresh process each time
        with AdvisoryStore(db, create=False) as store, Clocks() as clocks:
            result = Matcher(store).match(packages)
        runs.append(clocks)
    return {
        "packages": len(packages),
        "entries": entries(db, packages),
        "matches": len(result.matches),
        "first": rates(len(packages), runs[0]),
        "warm": rates(len(packages), runs[1]),
        "warm_again": rates(len(packages), runs[2]),
    }


def entries(db: Path, packages: list[Package]) -> int:
    """How many advisory entries the matcher had to decide for these packages."""
    with AdvisoryStore(db, create=False) as store:
        index = CandidateIndex(store)
        total = 0
        for item in packages:
            scope = scope_of(item)
            found = index.candidates(scope.lookup_ecosystem, scope.name)
            total += sum(1 for c in found if scope.accepts(c.ecosystem))
    return total


def read_through(db: Path) -> None:
    """Read the file once so the page cache holds it (measurements assume a warm server)."""
    with db.open("rb") as stream:
        while stream.read(1 << 24):
            pass


def pinned(cpu: int) -> str:
    try:
        os.sched_setaffinity(0, {cpu})
    except (AttributeError, OSError) as exc:
        return f"not pinned ({exc})"
    return f"pinned to CPU {cpu}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--lookups", type=int, default=50_000)
    parser.add_argument("--present", type=float, default=0.3)
    parser.add_argument("--scan-packages", type=int, default=300)
    parser.add_argument("--cpu", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", type=Path, help="use this store instead of the cached one")
    args = parser.parse_args()

    if args.db is not None:
        db, built = args.db, {"built": False, "path": str(args.db), "given": True}
    else:
        db, built = ensure_store(args.records)
    print(f"store: {db} ({db.stat().st_size / 1024**2:.0f} MiB)", flush=True)
    keys = stored_keys(db)
    by_key = {(k.ecosystem, k.name): k for k in keys}
    draw = Draw(keys, args.seed)
    mixed = draw.packages(args.lookups, args.present)
    every = draw.packages(args.lookups, 1.0)
    scan, origin = scan_inventory_packages(draw, args.scan_packages)
    mixed_later = new_versions(draw, mixed, by_key)
    every_later = new_versions(draw, every, by_key)
    read_through(db)
    pinning = pinned(args.cpu)
    # Objects alive now are the benchmark's (the drawn packages); keep the collector from
    # walking them again and again while the matcher runs.
    gc.collect()
    gc.freeze()
    figures: dict[str, Any] = {
        "store": built | {"mib": round(db.stat().st_size / 1024**2), "keys": len(keys)},
        "pinning": pinning,
        "load_before": os.getloadavg(),
        "mixed": {"present": args.present, **throughput(db, mixed, mixed_later)},
        "all_present": {"present": 1.0, **throughput(db, every, every_later)},
        "warm_scan": {"origin": origin, **warm_scan(db, scan)},
        "load_after": os.getloadavg(),
    }
    print("\n".join(report(figures)))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"results written to {RESULTS}")


def report(f: dict[str, Any]) -> list[str]:
    lines = [
        f"{f['pinning']}; load average before {_load(f['load_before'])}, "
        f"after {_load(f['load_after'])}",
    ]
    for label in ("mixed", "all_present"):
        run = f[label]
        lines.append(
            f"\n{run['cold']['lookups']:,} distinct packages, {run['present']:.0%} present in "
            f"the store: {run['packages_matched']:,} vulnerable, {run['matches']:,} matches, "
            f"{run['warnings']:,} warnings"
        )
        for name, title in (("cold", "cold (fresh matcher)"), ("fleet", "fleet (new versions)"),
                            ("warm", "warm (answers remembered)")):  # fmt: skip
            r = run[name]
            lines.append(
                f"  {title:<27} {r['per_s_cpu']:>9,} lookups/s CPU  {r['per_s_wall']:>9,} /s "
                f"wall  ({r['cpu_s']:.3f} s CPU, {r['wall_s']:.3f} s wall)"
            )
        p = run["cold_one_at_a_time_us"]
        lines.append(
            f"  cold, one at a time          {run['cold_one_at_a_time_per_s']:>9,} lookups/s wall"
            f"  p50 {p['p50']} us, p90 {p['p90']} us, p99 {p['p99']} us, max {p['max']} us"
        )
    scan = f["warm_scan"]
    lines.append(
        f"\nwarm scan: {scan['packages']} packages ({scan['origin']}), {scan['entries']:,} "
        f"advisory entries to decide, {scan['matches']:,} matches"
    )
    for name in ("first", "warm", "warm_again"):
        r = scan[name]
        lines.append(
            f"  {name:<11} {r['wall_s'] * 1000:8.1f} ms wall, {r['cpu_s'] * 1000:8.1f} ms CPU"
        )
    cold, fleet = f["mixed"]["cold"], f["mixed"]["fleet"]
    lines.append("\nacceptance, >= 50,000 lookups/s on one core (mixed set, CPU time):")
    for label, run in (("fresh matcher, nothing remembered", cold),
                       ("no answer remembered, entries compiled before", fleet)):  # fmt: skip
        status = "met" if run["per_s_cpu"] >= 50_000 else "NOT met"
        lines.append(f"  {label:<46} {run['per_s_cpu']:>9,} /s  {status}")
    warm = scan["warm"]
    lines.append(
        f"acceptance, warm scan matching < 1 s: {warm['wall_s']:.3f} s wall "
        f"({'met' if warm['wall_s'] < 1 else 'NOT met'}), {warm['cpu_s']:.3f} s CPU "
        f"({'met' if warm['cpu_s'] < 1 else 'NOT met'})"
    )
    return lines


def _load(values: Sequence[float]) -> str:
    return " ".join(f"{v:.2f}" for v in values)


if __name__ == "__main__":
    main()
