"""Label (record, version) pairs with the expected ``is_affected`` answer, computed by references.

The expectations that tests/versions/test_osv_records.py checks must not come from Vigil's own
version code, so each comparison here is made by the ecosystem's reference implementation:

- Debian: ``dpkg --compare-versions`` (run once per pair),
- npm and Go (SEMVER ranges): node-semver's ``compare``, via ``node`` with the ``semver`` package
  installed from the npm registry into a temporary directory,
- PyPI: ``packaging.version.Version``.

The range logic is also written independently of Vigil's: events are sorted with the reference
comparator and paired into [introduced, fixed) or [introduced, last_affected] intervals.

Usage: python scripts/label_osv_expectations.py  (writes tests/versions/data/osv_expectations.jsonl)
"""

from __future__ import annotations

import functools
import json
import random
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
OSV = ROOT / "tests" / "data" / "osv"
OUT = ROOT / "tests" / "versions" / "data" / "osv_expectations.jsonl"
Compare = Callable[[str, str], int]


class Unlabelled(ValueError):
    """The reference rejects a version of this pair, so no expectation can be labelled."""


def dpkg_compare(a: str, b: str) -> int:
    def holds(op: str) -> bool:
        return subprocess.run(["dpkg", "--compare-versions", a, op, b], check=False).returncode == 0

    return -1 if holds("lt") else (0 if holds("eq") else 1)


class NodeSemver:
    """node-semver compare, batched through one node process per batch."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="node-semver-"))
        subprocess.run(["npm", "init", "-y"], cwd=self.dir, check=True, capture_output=True)
        subprocess.run(
            ["npm", "install", "--ignore-scripts", "--silent", "semver@7.8.6"],
            cwd=self.dir,
            check=True,
            capture_output=True,
        )
        self.cache: dict[tuple[str, str], int | None] = {}

    def prime(self, pairs: set[tuple[str, str]]) -> None:
        todo = [p for p in pairs if p not in self.cache]
        script = (
            "const s=require('semver');const p=JSON.parse(require('fs').readFileSync(0,'utf8'));"
            "const c=([a,b])=>{try{return s.compare(a,b)}catch(e){return null}};"
            "console.log(JSON.stringify(p.map(c)));"
        )
        out = subprocess.run(
            ["node", "-e", script],
            cwd=self.dir,
            input=json.dumps(todo),
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        self.cache.update(zip(todo, json.loads(out), strict=True))

    def __call__(self, a: str, b: str) -> int:
        result = self.cache[(a, b)]
        if result is None:
            raise Unlabelled(f"node-semver rejects {a!r} or {b!r}")
        return result


def pep440_compare(a: str, b: str) -> int:
    try:
        va, vb = Version(a), Version(b)
    except InvalidVersion as exc:
        raise Unlabelled(str(exc)) from None
    return (va > vb) - (va < vb)


def expected(version: str, ranges: list[dict[str, Any]], cmp: Compare) -> bool:
    for rng in ranges:
        if rng["type"] == "GIT":
            continue
        events = [(k, v) for e in rng["events"] for k, v in e.items()]
        key = functools.cmp_to_key(
            lambda x, y: -1 if x[1] == "0" else (1 if y[1] == "0" else cmp(x[1], y[1]))
        )
        events.sort(key=key)
        start: str | None = None
        for kind, value in [*events, ("end", "")]:
            if kind == "introduced" and start is None:
                start = value
            elif kind in ("fixed", "last_affected", "end") and start is not None:
                above = start == "0" or cmp(version, start) >= 0
                below = (
                    kind == "end"
                    or (kind == "fixed" and cmp(version, value) < 0)
                    or (kind == "last_affected" and cmp(version, value) <= 0)
                )
                if above and below:
                    return True
                start = None
    return False


def listed_in(version: str, listed: list[str], cmp: Compare) -> bool:
    """OSV: a version named in the entry's own list is affected whatever the ranges say."""
    if version in listed:
        return True
    for other in listed:
        try:
            if cmp(version, other) == 0:
                return True
        except Unlabelled:
            continue
    return False


def candidates(
    ranges: list[dict[str, Any]], listed: list[str], ecosystem: str, rnd: random.Random
) -> list[str]:
    found: list[str] = []
    for rng in ranges:
        if rng["type"] == "GIT":
            continue
        for event in rng["events"]:
            for value in event.values():
                if value == "0":
                    continue
                found.append(value)
                if ecosystem == "Debian":
                    found += [value + "~pre1", value + "+b1"]
                elif ecosystem == "PyPI":
                    found += [value + ".post1", value + "rc1"] if "+" not in value else []
    found += rnd.sample(listed, min(4, len(listed)))
    return list(dict.fromkeys(found))


def main() -> None:
    rnd = random.Random(20261122)
    node = NodeSemver()
    jobs: list[tuple[str, int, str, str, list[dict[str, Any]], list[str]]] = []
    for folder in ("pypi", "npm", "go", "debian"):
        for path in sorted((OSV / folder).glob("*.json")):
            record = json.loads(path.read_text())
            if "id" not in record:
                continue
            for index, entry in enumerate(record.get("affected", [])):
                ecosystem = entry["package"]["ecosystem"]
                ranges = entry.get("ranges", [])
                if not any(r["type"] != "GIT" for r in ranges):
                    continue
                listed = entry.get("versions", [])
                # Lists of GIT-ranged entries hold tags, not package versions: don't sample them.
                sample = listed if not any(r["type"] == "GIT" for r in ranges) else []
                jobs.extend(
                    (record["id"], index, ecosystem, version, ranges, listed)
                    for version in candidates(ranges, sample, ecosystem.split(":")[0], rnd)
                )
    semver_pairs = {
        (v, e)
        for _, _, eco, v, ranges, _ in jobs
        if eco in ("npm", "Go")
        for r in ranges
        for ev in r["events"]
        for e in ev.values()
        if e != "0"
    } | {
        (a, b)
        for _, _, eco, _, ranges, _ in jobs
        if eco in ("npm", "Go")
        for r in ranges
        for ea in r["events"]
        for a in ea.values()
        for eb in r["events"]
        for b in eb.values()
        if "0" not in (a, b)
    }
    node.prime(semver_pairs)
    compares: dict[str, Compare] = {
        "PyPI": pep440_compare,
        "npm": node,
        "Go": node,
        "Debian": functools.cache(dpkg_compare),
    }
    labels = {
        "PyPI": "packaging 26",
        "npm": "node-semver 7.8.6",
        "Go": "node-semver 7.8.6",
        "Debian": "dpkg --compare-versions",
    }
    written = 0
    with OUT.open("w", encoding="utf-8") as out:
        for advisory_id, index, ecosystem, version, ranges, listed in jobs:
            base = ecosystem.split(":")[0]
            try:
                # OSV: a version named in the entry's own list is affected whatever the ranges say.
                answer = listed_in(version, listed, compares[base]) or expected(
                    version, ranges, compares[base]
                )
            except Unlabelled as exc:
                print(f"skipped {advisory_id} {version}: {exc}")
                continue
            row = {
                "id": advisory_id,
                "affected_index": index,
                "ecosystem": ecosystem,
                "version": version,
                "affected": answer,
                "labelled_by": labels[base],
            }
            out.write(json.dumps(row) + "\n")
            written += 1
    print(f"wrote {written} expectations to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
