"""Run benchmarks by name: ``python -m benchmarks [NAME ...]`` (``make bench`` runs them all).

Each benchmark is its own module with its own options; run ``python -m benchmarks.NAME --help``
for them. Here each runs with its defaults, one after the other, in a fresh process so that peak
memory figures do not carry over.
"""

from __future__ import annotations

import subprocess
import sys

# Explicit, in a sensible order: quick ones first.
BENCHMARKS = {
    "versions": "version comparison and OSV range evaluation throughput",
    "accuracy": "matching precision and recall per ecosystem on the labelled targets",
    "jobs": "embedded job queue throughput with no-op jobs",
    "targets_index": "indexing a ~1 GB image with a narrow wanted predicate",
    "inventory_memory": "peak memory while cataloging a ~1 GB image",
    "inventory_vs_syft": "vigil sbom side by side with syft on three targets",
    "advisories_build": "building, querying and syncing a 500,000-record advisory store",
    "matching": "matching throughput against a 500,000-record store, and a warm scan's matching",
    "scan_vs_syft": "vigil scan (catalog and match) beside syft cataloging only, three targets",
    "service_reevaluate": "ingest, and re-evaluation of 10,000 resources after an advisory diff",
    "finding_store": "finding store ingest, advisory-diff re-evaluation and full rescan",
    "findings_query": "ListFindings p50/p99 at 1,000,000 findings on SQLite and PostgreSQL",
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    for name in names:
        print(f"== {name}: {BENCHMARKS[name]}", flush=True)
        result = subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], check=False)
        if result.returncode:
            return result.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
