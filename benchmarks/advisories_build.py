"""Advisory store build, lookup and incremental sync on a synthetic 500,000-record corpus.

The corpus is generated in the shape of the real records of tests/data/osv: every synthetic
record is a real record (PyPI, npm, Go, Alpine or Debian) with a new id, new CVE aliases and a
new package name, so ranges, version lists, release-qualified entries and bundle advisories keep
their real shapes. Advisories per package follow a truncated power law (P(k) ~ k^-2.2: most
packages have one or two, a few have hundreds), capped near the largest real counts (about 400
for a language package such as tensorflow, 3,000 for a distribution package such as chromium;
the kernel's ten thousand is left out). Names include spellings that normalisation must fold.

The corpus is served as an OSV export (``all.zip`` + ``modified_id.csv`` + per-record JSON) by
a loopback HTTP server, and the store is built through the real path: download, validate,
parse, write. The build runs in a child process so that its peak memory is its own.

Reported: build time and peak RSS, store file size, lookup latency p50/p99 over distinct
package keys as an inventory asks them (``Debian:12`` + source name, ``PyPI`` + name: the
release is part of an OS package's ecosystem), for the index alone and with every candidate
decoded into an ``Advisory`` from a cold cache, and the time of an incremental sync of 1,000
changed records.

Usage: python -m benchmarks.advisories_build [--records N] [--changed N] [--lookups N]
(results also written to benchmarks/results/advisories_build.json)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import resource
import statistics
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from vigil.advisories.normalize import index_key
from vigil.advisories.sources.osv_export import OsvExportSource
from vigil.advisories.store import AdvisoryStore
from vigil.advisories.sync import MAX_WORKERS, sync

ROOT = Path(__file__).resolve().parent.parent
OSV = ROOT / "tests" / "data" / "osv"
RESULTS = ROOT / "benchmarks" / "results"
ECOSYSTEM = "mixed"  # one export folder holding every ecosystem, like OSV's global all.zip

# Share of the corpus per family, roughly OSV's own mix among these five ecosystems.
WEIGHTS = {"debian": 0.30, "npm": 0.20, "pypi": 0.18, "alpine": 0.17, "go": 0.15}
POWER = 2.2
CAP = {"debian": 3000, "alpine": 3000, "npm": 400, "pypi": 400, "go": 400}
BASE_TIME = datetime(2024, 1, 1, tzinfo=UTC)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


Template = tuple[str, str, tuple[str, ...], int]


def _templates() -> dict[str, list[Template]]:
    """Per family: (id prefix, JSON text with @@ID@@/@@MOD@@/@@NAME@@/@@CVEn@@ holes,
    the affected entries' ecosystems, the number of CVEs to fill in)."""
    out: dict[str, list[Template]] = {}
    for family in WEIGHTS:
        out[family] = []
        for path in sorted((OSV / family).glob("*.json")):
            doc = json.loads(path.read_text())
            if not isinstance(doc, dict) or "id" not in doc or "affected" not in doc:
                continue
            prefix = doc["id"].split("-")[0]
            doc["id"] = prefix + "-SYN-@@ID@@"
            doc["modified"] = "@@MOD@@"
            doc.pop("related", None)
            field = "upstream" if "upstream" in doc else "aliases"
            cves = 2 if len(doc.get(field, ())) > 1 else 1  # bundles stay bundles
            doc[field] = [f"@@CVE{n}@@" for n in range(cves)]
            ecosystems = []
            for entry in doc["affected"]:
                if entry.get("package"):
                    entry["package"]["name"] = "@@NAME@@"
                    entry["package"].pop("purl", None)
                    ecosystems.append(entry["package"]["ecosystem"])
            out[family].append((prefix, json.dumps(doc), tuple(ecosystems), cves))
    return out


def _names(family: str, count: int, seeds: list[str], rng: random.Random) -> list[str]:
    names = []
    for k in range(count):
        seed = seeds[k % len(seeds)]
        if family == "go":
            names.append(f"github.com/org{k}/{seed.rsplit('/', 1)[-1]}")
        elif family == "npm":
            names.append(f"@scope{k % 997}/{seed.rsplit('/', 1)[-1]}-{k}")
        elif family == "pypi":
            base = f"{seed}-{k}"
            names.append(base.replace("-", "_").title() if rng.random() < 0.2 else base)
        else:
            names.append(f"{seed}{k}")
    return names


def _name_slots(records: int, cap: int, rng: random.Random) -> list[int]:
    """Name numbers for ``records`` records, package k owning a power-law number of them."""
    sizes = list(range(1, cap + 1))
    weights = [k**-POWER for k in sizes]
    slots: list[int] = []
    name = 0
    while len(slots) < records:
        slots.extend([name] * rng.choices(sizes, weights)[0])
        name += 1
    del slots[records:]
    rng.shuffle(slots)
    return slots


def generate(records: int, seed: int = 1) -> Iterator[tuple[str, str, str, list[str]]]:
    """Synthetic OSV records as ``(id, modified, JSON text, ecosystems)``; seeded, repeatable."""
    rng = random.Random(seed)
    templates = _templates()
    serial = 0
    for family, weight in WEIGHTS.items():
        n = round(records * weight)
        seeds = sorted(
            {
                a["package"]["name"]
                for p in sorted((OSV / family).glob("*.json"))
                if p.stem[0].isupper()
                for a in json.loads(p.read_text()).get("affected", ())
                if a.get("package")
            }
        )
        slots = _name_slots(n, CAP[family], rng)
        names = _names(family, max(slots, default=0) + 1, seeds, rng)
        for slot in slots:
            serial += 1
            prefix, text, ecosystems, cves = rng.choice(templates[family])
            name = names[slot]
            modified = (BASE_TIME + timedelta(seconds=serial)).isoformat()
            text = text.replace("@@ID@@", str(serial)).replace("@@MOD@@", modified)
            text = text.replace("@@NAME@@", name)
            for n_cve in range(cves):
                cve = f"CVE-{rng.randrange(2000, 2026)}-{rng.randrange(10**5)}"
                text = text.replace(f"@@CVE{n_cve}@@", cve)
            record_id = f"{prefix}-SYN-{serial}"
            yield record_id, modified, text, [(e, name) for e in ecosystems]


def write_export(
    folder: Path, records: int
) -> tuple[set[tuple[str, str]], set[tuple[str, str]], list[str]]:
    """Write all.zip and modified_id.csv.

    Returns the distinct (ecosystem with release, name) pairs, the distinct index keys, and a
    sample of records to change later.
    """
    folder.mkdir(parents=True, exist_ok=True)
    packages_seen: set[tuple[str, str]] = set()
    keys: set[tuple[str, str]] = set()
    rows: list[str] = []
    sample: list[str] = []
    rng = random.Random(2)
    with zipfile.ZipFile(folder / "all.zip", "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for record_id, modified, text, packages in generate(records):
            zf.writestr(f"{record_id}.json", text)
            rows.append(f"{modified},{record_id}\n")
            for ecosystem, name in packages:
                packages_seen.add((ecosystem, name))
                keys.add(tuple(index_key(ecosystem, name)))  # type: ignore[arg-type]
            if len(sample) < 20_000 and rng.random() < 0.05:
                sample.append(text)
    (folder / "modified_id.csv").write_text("".join(reversed(rows)))
    return packages_seen, keys, sample


def change(folder: Path, texts: list[str], count: int) -> None:
    """Publish ``count`` changed records: a later ``modified`` and a new summary."""
    later = BASE_TIME + timedelta(days=3650)
    rows = (folder / "modified_id.csv").read_text()
    new_rows = []
    for n, text in enumerate(texts[:count]):
        doc = json.loads(text)
        doc["modified"] = (later + timedelta(seconds=n)).isoformat()
        doc["summary"] = f"revised {n}"
        (folder / f"{doc['id']}.json").write_text(json.dumps(doc))
        new_rows.append(f"{doc['modified']},{doc['id']}\n")
    (folder / "modified_id.csv").write_text("".join(reversed(new_rows)) + rows)


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 1000) - 1] if len(values) > 1 else 0.0


def _build(base_url: str, db: Path, keys: list[tuple[str, str]]) -> dict[str, Any]:
    """Runs in a child process: build, measure lookups. Returns figures."""
    source = OsvExportSource(ECOSYSTEM, base_url=base_url)
    start = time.perf_counter()
    with AdvisoryStore(db) as store:
        report = sync(store, source)
    build_s = time.perf_counter() - start
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_mb = own.ru_maxrss / 1024
    worker_peak_mb = workers.ru_maxrss / 1024
    worker_count = min(os.cpu_count() or 1, MAX_WORKERS)
    cpu_s = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
    index_ms: list[float] = []
    decoded_ms: list[float] = []
    counts: list[int] = []
    with AdvisoryStore(db, create=False) as store:
        for ecosystem, name in keys:
            t0 = time.perf_counter()
            found = store.lookup(ecosystem, name)
            t1 = time.perf_counter()
            index_ms.append((t1 - t0) * 1000)
            counts.append(len(found))
        with AdvisoryStore(db, create=False, cache=0) as cold:
            for ecosystem, name in keys:
                t0 = time.perf_counter()
                for candidate in cold.lookup(ecosystem, name):
                    _ = candidate.advisory
                decoded_ms.append((time.perf_counter() - t0) * 1000)
    return {
        "build_s": build_s,
        "build_cpu_s": cpu_s,
        "load_average": os.getloadavg(),
        "build_peak_rss_mb": peak_mb,
        "worker_peak_rss_mb": worker_peak_mb,
        "workers": worker_count,
        "total_peak_rss_mb_bound": peak_mb + worker_count * worker_peak_mb,
        "records": len(report.diff.added) + len(report.diff.withdrawn),
        "failures": len(report.failures),
        "lookups": len(keys),
        "candidates_per_lookup": {
            "mean": sum(counts) / max(1, len(counts)),
            "p99": _percentile([float(c) for c in counts], 0.99),
            "max": max(counts, default=0),
        },
        "lookup_ms": {"p50": _percentile(index_ms, 0.5), "p99": _percentile(index_ms, 0.99)},
        "lookup_decoded_ms": {
            "p50": _percentile(decoded_ms, 0.5),
            "p99": _percentile(decoded_ms, 0.99),
        },
    }


def _incremental(base_url: str, db: Path) -> dict[str, Any]:
    source = OsvExportSource(ECOSYSTEM, base_url=base_url)
    with AdvisoryStore(db, create=False) as store:
        start = time.perf_counter()
        report = sync(store, source)
        elapsed = time.perf_counter() - start
    return {
        "incremental_s": elapsed,
        "incremental_modified": len(report.diff.modified),
        "incremental_keys": len(report.diff.keys),
    }


def _run(fn: Any, args: tuple[Any, ...], out: Any) -> None:
    out.put(fn(*args))


def _in_child(fn: Any, *args: Any) -> dict[str, Any]:
    """Run ``fn`` in a fresh process (not a pool's: it starts parse workers of its own)."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=_run, args=(fn, args, out))
    child.start()
    result: dict[str, Any] = out.get()
    child.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--changed", type=int, default=1_000)
    parser.add_argument("--lookups", type=int, default=10_000)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.workdir) as tmp:
        work = Path(tmp)
        served = work / "export"
        t0 = time.perf_counter()
        packages, keys, sample = write_export(served / ECOSYSTEM, args.records)
        generated_s = time.perf_counter() - t0
        zip_mb = (served / ECOSYSTEM / "all.zip").stat().st_size / 1024**2
        print(f"generated {args.records} records in {generated_s:.0f}s (all.zip {zip_mb:.0f} MiB)")

        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(served)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base_url = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            rng = random.Random(3)
            probe = rng.sample(sorted(packages), min(args.lookups, len(packages)))
            db = work / "advisories.db"
            figures = _in_child(_build, base_url, db, probe)
            figures["store_mb"] = db.stat().st_size / 1024**2
            figures["distinct_keys"] = len(keys)
            figures["distinct_packages"] = len(packages)
            rng.shuffle(sample)
            change(served / ECOSYSTEM, sample, args.changed)
            figures.update(_in_child(_incremental, base_url, db))
        finally:
            server.shutdown()
            server.server_close()

    figures["generated_s"] = generated_s
    figures["all_zip_mb"] = zip_mb
    _report(figures)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "advisories_build.json").write_text(json.dumps(figures, indent=2) + "\n")


def _report(f: dict[str, Any]) -> None:
    rows = [
        ("records built", f"{f['records']:,} ({f['failures']} failures)", ""),
        ("build time (download+validate+parse+write)", f"{f['build_s']:.1f} s", "< 180 s"),
        ("build CPU time, all processes", f"{f['build_cpu_s']:.1f} s", ""),
        ("load average during the build", "{:.1f} {:.1f} {:.1f}".format(*f["load_average"]), ""),
        (
            "peak RSS: writer / each parse worker",
            f"{f['build_peak_rss_mb']:.0f} / {f['worker_peak_rss_mb']:.0f} MiB",
            "",
        ),
        (
            "peak RSS, all processes (upper bound)",
            f"{f['total_peak_rss_mb_bound']:.0f} MiB",
            "< 2048 MiB",
        ),
        ("store file size", f"{f['store_mb']:.0f} MiB", ""),
        (
            "distinct index keys / with release",
            f"{f['distinct_keys']:,} / {f['distinct_packages']:,}",
            "",
        ),
        (
            "candidates per lookup mean / p99 / max",
            "{mean:.1f} / {p99:.0f} / {max}".format(**f["candidates_per_lookup"]),
            "",
        ),
        (
            "lookup p50 / p99 (index)",
            f"{f['lookup_ms']['p50']:.3f} / {f['lookup_ms']['p99']:.3f} ms",
            "p99 < 1 ms",
        ),
        (
            "lookup + decode all, cold, p50 / p99",
            f"{f['lookup_decoded_ms']['p50']:.3f} / {f['lookup_decoded_ms']['p99']:.3f} ms",
            "",
        ),
        (
            f"incremental sync ({f['incremental_modified']} changed)",
            f"{f['incremental_s']:.2f} s",
            "< 5 s",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    for label, value, target in rows:
        print(f"{label:<{width}}  {value:>24}  {target}")


if __name__ == "__main__":
    main()
