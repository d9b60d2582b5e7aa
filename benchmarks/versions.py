"""Version comparison and OSV range evaluation throughput, per CPU-second on one core.

For each scheme, over the valid labelled pairs of tests/versions/data:
- comparisons/s from raw strings (parse both versions, then compare), the figure the foundation
  issue sets a floor for (100,000/s for dpkg, rpm, PEP 440 and npm);
- comparisons/s from parsed keys (what a matcher pays once keys are cached);
- comparisons/s from raw strings over the pairs made of real versions of real packages only
  (rows whose source is ``realworld…``), the typical input rather than the edge cases.
Then ``is_affected`` evaluations/s over the real OSV records of tests/data/osv, both as one call
(compiling the entry each time) and against a pre-compiled entry.

Usage: python -m benchmarks.versions [--seconds S]   (results also written to
benchmarks/results/versions.json)
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vigil.versions import (
    CompiledAffected,
    InvalidVersion,
    compile_affected,
    is_affected,
    scheme_for,
)
from vigil.versions.scheme import VersionScheme, compare_keys

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "versions" / "data"
OSV = ROOT / "tests" / "data" / "osv"
RESULTS = ROOT / "benchmarks" / "results"

FILES = {
    "dpkg": ("debian.jsonl", "Debian"),
    "rpm": ("rpm.jsonl", "Red Hat"),
    "apk": ("alpine.jsonl", "Alpine"),
    "pep440": ("pypi.jsonl", "PyPI"),
    "npm": ("npm.jsonl", "npm"),
    "maven": ("maven.jsonl", "Maven"),
    "rubygems": ("rubygems.jsonl", "RubyGems"),
    "go": ("go.jsonl", "Go"),
    "cargo": ("cargo.jsonl", "crates.io"),
    "nuget": ("nuget.jsonl", "NuGet"),
    "composer": ("composer.jsonl", "Packagist"),
}


def _pairs(filename: str, scheme: VersionScheme, realworld: bool = False) -> list[tuple[str, str]]:
    path = DATA / filename
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        row = json.loads(line)
        if row.get("mode", "evr") != "evr" or row.get("opts", {}).get("loose"):
            continue
        if realworld and not str(row["source"]).startswith("realworld"):
            continue
        try:
            scheme.parse(row["a"])
            scheme.parse(row["b"])
        except InvalidVersion:
            continue
        out.append((row["a"], row["b"]))
    return out


def _rate(fn: Callable[[], int], seconds: float) -> float:
    """Operations per CPU-second: repeat ``fn`` (which returns how many it did) for ``seconds``.

    Process CPU time, not wall time, so that other work on the machine does not count against
    the single core this measures.
    """
    done, start = 0, time.process_time()
    while (elapsed := time.process_time() - start) < seconds:
        done += fn()
    return done / elapsed


def bench_schemes(seconds: float) -> dict[str, dict[str, float]]:
    results = {}
    for name, (filename, ecosystem) in FILES.items():
        scheme = scheme_for(ecosystem)
        pairs = _pairs(filename, scheme)
        if not pairs:
            continue
        parse = scheme.parse

        def raw(pairs: list[tuple[str, str]] = pairs, parse: Any = parse) -> int:
            for a, b in pairs:
                compare_keys(parse(a), parse(b))
            return len(pairs)

        keys = [(parse(a), parse(b)) for a, b in pairs]

        def parsed(keys: list[tuple[Any, Any]] = keys) -> int:
            for ka, kb in keys:
                compare_keys(ka, kb)
            return len(keys)

        # Real version strings of real packages, as opposed to the references' edge-case vectors.
        real = _pairs(filename, scheme, realworld=True)

        def raw_real(pairs: list[tuple[str, str]] = real, parse: Any = parse) -> int:
            for a, b in pairs:
                compare_keys(parse(a), parse(b))
            return len(pairs)

        results[name] = {
            "pairs": len(pairs),
            "raw_per_s": _rate(raw, seconds),
            "parsed_per_s": _rate(parsed, seconds),
            "realworld_pairs": len(real),
            "realworld_raw_per_s": _rate(raw_real, seconds) if real else 0.0,
        }
    return results


def bench_is_affected(seconds: float) -> dict[str, float]:
    cases: list[tuple[str, str, dict[str, Any]]] = []
    entries: dict[tuple[str, int], CompiledAffected] = {}
    compiled: list[tuple[CompiledAffected, str]] = []
    for line in (DATA / "osv_expectations.jsonl").read_text().splitlines():
        row = json.loads(line)
        folder = {"PyPI": "pypi", "npm": "npm", "Go": "go"}.get(row["ecosystem"], "debian")
        record = json.loads((OSV / folder / f"{row['id']}.json").read_text())
        entry = record["affected"][row["affected_index"]]
        cases.append((row["ecosystem"], row["version"], entry))
        # A matcher compiles each entry once and asks it about many package versions.
        where = (row["id"], row["affected_index"])
        if where not in entries:
            entries[where] = compile_affected(row["ecosystem"], entry)
        compiled.append((entries[where], row["version"]))
    for entry, version in compiled * 2:  # warm the lazily parsed version lists
        entry.includes(version)

    def one_call() -> int:
        for eco, version, entry in cases:
            is_affected(eco, version, entry)
        return len(cases)

    def precompiled() -> int:
        for entry, version in compiled:
            entry.includes(version)
        return len(compiled)

    return {
        "cases": len(cases),
        "is_affected_per_s": _rate(one_call, seconds),
        "compiled_includes_per_s": _rate(precompiled, seconds),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = parser.parse_args(argv)
    schemes = bench_schemes(args.seconds)
    print(
        f"{'scheme':<10} {'pairs':>6} {'raw cmp/s':>12} {'parsed cmp/s':>14}"
        f" {'real pairs':>11} {'real raw cmp/s':>15}"
    )
    for name, r in schemes.items():
        real = f"{r['realworld_raw_per_s']:>15,.0f}" if r["realworld_pairs"] else f"{'-':>15}"
        print(
            f"{name:<10} {r['pairs']:>6} {r['raw_per_s']:>12,.0f} {r['parsed_per_s']:>14,.0f}"
            f" {r['realworld_pairs']:>11} {real}"
        )
    affected = bench_is_affected(args.seconds)
    print(
        f"is_affected over {affected['cases']} real OSV cases: "
        f"{affected['is_affected_per_s']:,.0f}/s per call, "
        f"{affected['compiled_includes_per_s']:,.0f}/s against compiled entries"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "versions.json").write_text(
        json.dumps({"schemes": schemes, "is_affected": affected}, indent=2)
    )


if __name__ == "__main__":
    main()
