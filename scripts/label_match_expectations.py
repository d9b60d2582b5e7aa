"""Label the findings each target of the accuracy gate should have, without Vigil's code.

Both halves of a finding come from references:

- *what is installed*, read from the target's own package databases: ``dpkg-query
  --admindir`` for Debian (binary and source package with their versions, as dpkg reports
  them); ``*.dist-info/METADATA`` headers parsed with the standard library for PyPI (files
  that a dpkg package owns, per ``var/lib/dpkg/info/*.list``, belong to that package and are
  left out); every ``package-lock.json`` entry for npm; for Go, ``go version -m`` output when Go
  is installed, else the recorded output in ``tests/fixtures_real/data/go-version-m.txt``, plus
  the toolchain that Debian's ``Built-Using`` names for the copy of ``restic`` (Debian builds it
  in GOPATH mode: no module versions in the binary);
- *whether a version is affected*, decided by each ecosystem's reference implementation with the
  interval construction of ``label_osv_expectations`` (itself independent of Vigil):
  ``dpkg --compare-versions`` through the source package and version (Debian advisories are
  keyed by source, and only ``Debian:12`` entries apply), ``packaging`` for PyPI (names compared
  after PEP 503 normalisation), node-semver for npm and for Go (OSV's Go versions carry no
  ``v``, which node-semver does not need either).

Every (package, record entry naming it) pair is written, affected or not, and every package
without any candidate record once with ``record: null``, so the file also states which
inventory was labelled.

Usage: ``python -m scripts.label_match_expectations [--fixture]`` writes
``tests/matching/data/accuracy/labels.jsonl`` for the small target, and for the Debian 12
fixture too with ``--fixture`` (building it first if needed).
"""

from __future__ import annotations

import argparse
import functools
import json
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from email.parser import HeaderParser
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from scripts.label_osv_expectations import (
    Compare,
    NodeSemver,
    Unlabelled,
    dpkg_compare,
    expected,
    listed_in,
    pep440_compare,
)

ROOT = Path(__file__).resolve().parent.parent
OSV = ROOT / "tests" / "data" / "osv"
FOLDERS = ("pypi", "npm", "go", "debian", "alpine", "debian12")
DATA = ROOT / "tests" / "matching" / "data" / "accuracy"
LABELS = DATA / "labels.jsonl"
SMALL = DATA / "debian12-host"
GO_RECORDED = ROOT / "tests" / "fixtures_real" / "data" / "go-version-m.txt"
RESTIC_COPY = "opt/app/bin/restic"
REFERENCES = {
    "Debian": "dpkg --compare-versions",
    "PyPI": "packaging",
    "npm": "node-semver 7.8.6",
    "Go": "node-semver 7.8.6",
}


@dataclass(frozen=True)
class Installed:
    """One package of a target as its own database says; ``key`` is what advisories name."""

    ecosystem: str  # "Debian:12", "PyPI", "npm", "Go"
    name: str
    version: str
    key: str  # Debian: the source package; PyPI: the PEP 503 name; else the name
    key_version: str  # Debian: the source version; else the version


@dataclass(frozen=True)
class Label:
    target: str
    ecosystem: str
    name: str
    version: str
    record: str | None
    affected: bool
    labelled_by: str
    source: str | None = None
    source_version: str | None = None


def debian_packages(root: Path) -> list[Installed]:
    query = shutil.which("dpkg-query")
    if query is None:
        raise SystemExit("dpkg-query is needed (apt-get install dpkg)")
    fields = "${db:Status-Abbrev}\t${Package}\t${Version}\t${source:Package}\t${source:Version}"
    listing = subprocess.run(
        [query, f"--admindir={root / 'var/lib/dpkg'}", "-W", f"-f={fields}\n"],
        check=True, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    release = _debian_release(root)
    found = []
    for line in listing.splitlines():
        status, name, version, source, source_version = line.split("\t")
        if status.strip() == "ii":
            found.append(Installed(f"Debian:{release}", name, version, source, source_version))
    return found


def _debian_release(root: Path) -> str:
    for candidate in ("etc/os-release", "usr/lib/os-release"):
        path = root / candidate
        if path.is_file():
            match = re.search(r'^VERSION_ID="?(\d+)', path.read_text(), re.MULTILINE)
            if match:
                return match.group(1)
    raise SystemExit(f"{root}: no Debian VERSION_ID in os-release")


def _dpkg_owned(root: Path) -> set[str]:
    owned: set[str] = set()
    for listing in (root / "var/lib/dpkg/info").glob("*.list"):
        owned.update(line.lstrip("/") for line in listing.read_text().splitlines())
    return owned


def _files(root: Path, pattern: str) -> Iterator[Path]:
    # Only the target's own tree: symlinks are not followed out of it.
    yield from (p for p in sorted(root.glob(pattern)) if p.is_file() and not p.is_symlink())


def pypi_packages(root: Path) -> list[Installed]:
    owned = _dpkg_owned(root)
    found = []
    for path in _files(root, "**/*.dist-info/METADATA"):
        if str(path.relative_to(root)) in owned:
            continue
        headers = HeaderParser().parsestr(path.read_text(encoding="utf-8", errors="replace"))
        name, version = headers["Name"], headers["Version"]
        found.append(Installed("PyPI", name, version, canonicalize_name(name), version))
    return found


def npm_packages(root: Path) -> list[Installed]:
    found = []
    for path in _files(root, "**/package-lock.json"):
        if "node_modules" in path.relative_to(root).parts:
            continue  # npm's hidden lock (node_modules/.package-lock.json) is another file
        lock = json.loads(path.read_text())
        for where, entry in lock.get("packages", {}).items():
            if where and "version" in entry and not entry.get("link"):
                name = entry.get("name") or where.rpartition("node_modules/")[2]
                found.append(Installed("npm", name, entry["version"], name, entry["version"]))
    return found


def go_packages(root: Path) -> list[Installed]:
    """Go modules of the target's Go binaries not owned by a dpkg package."""
    go = shutil.which("go")
    modules: set[tuple[str, str]] = set()
    if go is not None:
        owned = _dpkg_owned(root)
        for path in _files(root, "**/*"):
            rel = str(path.relative_to(root))
            if rel in owned or not path.stat().st_mode & 0o111:
                continue
            done = subprocess.run([go, "version", "-m", str(path)], capture_output=True,
                                  text=True, check=False)  # fmt: skip
            if done.returncode == 0:
                modules |= _go_modules(done.stdout.replace(str(path), rel))
    elif (root / "opt/tools/node_modules").is_dir():
        modules |= _go_modules(GO_RECORDED.read_text())
    if go is None and (root / RESTIC_COPY).is_file():
        modules.add(("stdlib", _restic_toolchain(root)))
    return [Installed("Go", name, version, name, version) for name, version in sorted(modules)]


def _go_modules(output: str) -> set[tuple[str, str]]:
    """(module, version) from ``go version -m`` output, versions as OSV writes Go versions."""
    found = set()
    for line in output.splitlines():
        if not line.startswith("\t"):
            found.add(("stdlib", line.partition(": ")[2].strip().removeprefix("go")))
            continue
        kind, *fields = line.strip("\t").split("\t")
        if kind in ("mod", "dep") and fields[1] != "(devel)":
            found.add((fields[0], fields[1].removeprefix("v")))
    return found


def _restic_toolchain(root: Path) -> str:
    listing = subprocess.run(
        ["dpkg-query", f"--admindir={root / 'var/lib/dpkg'}", "-W", "-f=${Built-Using}",
         "restic"], check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    match = re.search(r"golang-1\.\d+ \(= ([^)]+)\)", listing)
    if match is None:
        raise SystemExit(f"restic's Built-Using names no Go toolchain: {listing!r}")
    return match.group(1).split(":", 1)[-1].rsplit("-", 1)[0]


def inventory(
    root: Path, ecosystems: Iterable[str] = ("Debian", "PyPI", "npm", "Go")
) -> list[Installed]:
    readers = {"Debian": debian_packages, "PyPI": pypi_packages, "npm": npm_packages,
               "Go": go_packages}  # fmt: skip
    return [p for eco in ecosystems for p in readers[eco](root)]


def load_records(folders: Iterable[str] = FOLDERS) -> list[dict[str, Any]]:
    paths = [p for f in folders for p in sorted((OSV / f).glob("*.json")) if p.stem[0].isupper()]
    return [json.loads(p.read_text()) for p in paths]


def _index(docs: list[dict[str, Any]]) -> dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]:
    """(ecosystem, key) -> (record id, affected entry) for every live record."""
    found: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]] = {}
    for doc in docs:
        if doc.get("withdrawn"):
            continue
        for entry in doc.get("affected", []):
            package = entry.get("package") or {}
            ecosystem, name = package.get("ecosystem", ""), package.get("name", "")
            if ecosystem == "PyPI":
                name = canonicalize_name(name)
            found.setdefault((ecosystem, name), []).append((doc["id"], entry))
    return found


def label(
    target: str, packages: list[Installed], docs: list[dict[str, Any]], node: NodeSemver | None
) -> tuple[list[Label], list[str]]:
    """Every (package, candidate entry) pair labelled, and the pairs no reference could label."""
    index = _index(docs)
    if node is not None:
        node.prime(_semver_pairs(packages, index))
    compares: dict[str, Compare] = {"Debian": functools.cache(dpkg_compare),
                                    "PyPI": pep440_compare}  # fmt: skip
    if node is not None:
        compares["npm"] = compares["Go"] = node
    labels, unlabelled = [], []
    for package in packages:
        base = package.ecosystem.split(":")[0]
        candidates = index.get((package.ecosystem, package.key), [])
        extra = ({"source": package.key, "source_version": package.key_version}
                 if base == "Debian" else {})  # fmt: skip
        if not candidates:
            labels.append(Label(target, package.ecosystem, package.name, package.version, None,
                                False, REFERENCES[base], **extra))  # fmt: skip
        # A record is affected if any of its entries naming the package says so; an entry no
        # reference can read only matters when no other entry of the record is affected.
        verdicts: dict[str, bool | None] = {}
        problems: dict[str, str] = {}
        for record_id, entry in candidates:
            ranges = [r for r in entry.get("ranges", []) if r.get("type") != "GIT"]
            try:
                hit = listed_in(package.key_version, entry.get("versions", []), compares[base])
                hit = hit or expected(package.key_version, ranges, compares[base])
            except Unlabelled as exc:
                problems[record_id] = str(exc)
                verdicts.setdefault(record_id, None)
                continue
            verdicts[record_id] = bool(verdicts.get(record_id)) or hit
        for record_id, verdict in verdicts.items():
            if verdict is None or (not verdict and record_id in problems):
                where = f"{target} {package.name} {package.version} {record_id}"
                unlabelled.append(f"{where}: {problems[record_id]}")
                continue
            labels.append(Label(target, package.ecosystem, package.name, package.version,
                                record_id, verdict, REFERENCES[base], **extra))  # fmt: skip
    return labels, unlabelled


def _semver_pairs(
    packages: list[Installed], index: dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]
) -> set[tuple[str, str]]:
    pairs = set()
    for package in packages:
        if package.ecosystem not in ("npm", "Go"):
            continue
        for _, entry in index.get((package.ecosystem, package.key), []):
            values = [v for r in entry.get("ranges", []) if r.get("type") != "GIT"
                      for e in r["events"] for v in e.values() if v != "0"]  # fmt: skip
            values += entry.get("versions", [])
            pairs |= {(package.key_version, v) for v in values}
            pairs |= {(a, b) for a in values for b in values}
    return pairs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixture", action="store_true", help="label the Debian 12 fixture too")
    args = parser.parse_args()
    targets = {"debian12-host": SMALL}
    if args.fixture:
        from scripts.fixtures import debian12

        targets["debian12-fixture"] = debian12.ensure().root
    docs = load_records()
    node = NodeSemver()
    rows: list[Label] = []
    for name, root in targets.items():
        found, unlabelled = label(name, inventory(root), docs, node)
        rows += found
        for line in unlabelled:
            print(f"unlabelled: {line}")
        positives = sum(r.affected for r in found)
        print(f"{name}: {len(found)} pairs, {positives} affected")
    if not args.fixture and LABELS.exists():
        # Keep the fixture's labels from an earlier --fixture run.
        rows += [Label(**json.loads(line)) for line in LABELS.read_text().splitlines()
                 if json.loads(line)["target"] not in targets]  # fmt: skip
    rows.sort(key=lambda r: (r.target, r.ecosystem, r.name, r.version, r.record or ""))
    LABELS.write_text("".join(json.dumps(asdict(r)) + "\n" for r in rows))
    print(f"wrote {len(rows)} labels to {LABELS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
