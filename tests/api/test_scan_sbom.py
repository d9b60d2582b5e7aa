"""inspector-scan ScanSbom through unmodified boto3, on the SBOM ``vigil sbom`` writes for a real
Debian 11 root file system with old Debian and PyPI packages (tests/service/test_scan.py's)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.export_support import ACCOUNT, ExportApi, destinations, export_api
from tests.sbom.validators import cyclonedx_errors
from tests.service.ingest_support import StepClock, build_store
from tests.service.test_scan import DPKG_STATUS, OS_RELEASE, PYTHON, SITE
from vigil.service.scan import ScanRequest, run_scan

# A few of the vulnerabilities, with the package each affects and its fixed version (None: not
# checked here). The whole set must equal what `vigil scan` finds cataloging the directory itself.
SPECIFIC = {
    "CVE-2021-21330": ("pkg:pypi/aiohttp@3.7.3", "3.7.4"),
    "CVE-2020-11651": ("pkg:pypi/salt@3000.1", "3000.2"),
    "CVE-2020-11652": ("pkg:pypi/salt@3000.1", "3000.2"),
    "CVE-2021-40438": ("apache2-bin", "0:2.4.51-1~deb11u1"),
    "CVE-2022-0778": ("libssl1.1", None),
}


ALL_FOUND = 92


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("host")
    (root / "etc").mkdir()
    (root / "etc/os-release").write_text(OS_RELEASE)
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "var/lib/dpkg/status").write_text(DPKG_STATUS)
    for name, version in PYTHON:
        info = root / SITE / f"{name}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    return root


@pytest.fixture(scope="module")
def sbom(tmp_path_factory: pytest.TempPathFactory, root: Path) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("sbom") / "host.cdx.json"
    vigil = Path(sys.executable).parent / "vigil"
    done = subprocess.run(
        [str(vigil), "sbom", f"dir:{root}", "--format", "cyclonedx-json@1.5", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    document: dict[str, Any] = json.loads(out.read_text())
    return document


@pytest.fixture(scope="module")
def advisory_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("advisories"))


@pytest.fixture(scope="module")
def expected(advisory_db: Path, root: Path) -> set[str]:
    """What ``vigil scan`` finds cataloging the directory itself, with the same store."""
    found = run_scan(ScanRequest(f"dir:{root}", None, advisory_db, None)).findings
    assert len(found) == ALL_FOUND
    return {f.vulnerability_id for f in found}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, advisory_db: Path) -> Iterator[ExportApi]:
    where = destinations(None, {})
    with export_api(tmp_path_factory.mktemp("api"), advisory_db, where, StepClock()) as api:
        yield api


@pytest.fixture(scope="module")
def scanner(served: ExportApi) -> Any:
    return served.live.client(served.live.create_key(ACCOUNT, "agent"), "inspector-scan")


def components(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    stack = list(document.get("components", []))
    while stack:
        component = stack.pop()
        found[component["bom-ref"]] = component
        stack.extend(component.get("components", []))
    return found


def test_cyclonedx_answer_names_each_vulnerability_and_its_components(
    scanner: Any, sbom: dict[str, Any], expected: set[str]
) -> None:
    answer = scanner.scan_sbom(sbom=sbom, outputFormat="CYCLONE_DX_1_5")["sbom"]
    assert cyclonedx_errors(json.dumps(answer).encode(), "1.5") == []
    assert answer["specVersion"] == "1.5"
    parts = components(answer)
    assert sorted(parts) == sorted(f"comp-{n}" for n in range(1, len(sbom["components"]) + 1))
    vulnerabilities = {v["id"]: v for v in answer["vulnerabilities"]}
    assert set(vulnerabilities) == expected
    assert [v["bom-ref"] for v in answer["vulnerabilities"]] == [
        f"vuln-{n}" for n in range(1, ALL_FOUND + 1)
    ]
    for vid, (package, fixed) in SPECIFIC.items():
        vulnerability = vulnerabilities[vid]
        (affected,) = vulnerability["affects"]
        component = parts[affected["ref"]]
        assert package in (component["purl"].split("?")[0], component["name"])
        properties = {p["name"]: p["value"] for p in vulnerability.get("properties", [])}
        fixed_key = f"amazon:inspector:sbom_scanner:fixed_version:{affected['ref']}"
        if fixed is not None:
            assert properties[fixed_key] == fixed
    aiohttp = vulnerabilities["CVE-2021-21330"]
    assert aiohttp["source"] == {
        "name": "NVD",
        "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-21330",
    }
    nvd = [
        (r["method"], r["score"], r["severity"])
        for r in aiohttp["ratings"]
        if r["source"]["name"] == "NVD"
    ]
    assert nvd == [("CVSSv31", 6.1, "medium"), ("CVSSv2", 5.8, "medium")]
    assert aiohttp["cwes"] == [601]
    assert {r["id"] for r in aiohttp["references"]} == {"GHSA-v6wp-4m6f-gcjg", "PYSEC-2021-76"}
    apache = vulnerabilities["CVE-2021-40438"]
    kev = {p["name"]: p["value"] for p in apache["properties"]}
    assert kev["amazon:inspector:sbom_scanner:exploit_available"] == "true"
    assert kev["amazon:inspector:sbom_scanner:cisa_kev_date_added"] == "2021-12-01T00:00:00Z"
    assert apache["analysis"] == {"state": "exploitable"}
    epss = [r for r in vulnerabilities["CVE-2022-0778"]["ratings"] if r["source"]["name"] == "EPSS"]
    assert [r["score"] for r in epss] == [0.73188]
    counted = {p["name"]: int(p["value"]) for p in answer["metadata"]["properties"]}
    assert sum(counted.values()) == ALL_FOUND
    assert set(counted) == {
        f"amazon:inspector:sbom_scanner:{s}_vulnerabilities"
        for s in ("critical", "high", "medium", "low", "other")
    }


def test_inspector_answer_and_default_format(
    scanner: Any, sbom: dict[str, Any], expected: set[str]
) -> None:
    answer = scanner.scan_sbom(sbom=sbom, outputFormat="INSPECTOR")["sbom"]
    assert set(answer) == {"messages", "vulnerability_count", "vulnerabilities"}
    found = {v["id"]: v for v in answer["vulnerabilities"]}
    assert set(found) == expected
    assert found["CVE-2021-21330"]["affects"] == [
        {"installed_version": "pkg:pypi/aiohttp@3.7.3", "fixed_version": "3.7.4"}
    ]
    assert found["CVE-2021-21330"]["severity"] == "medium"
    assert sum(answer["vulnerability_count"].values()) <= ALL_FOUND
    default = scanner.scan_sbom(sbom=sbom)["sbom"]
    assert default["bomFormat"] == "CycloneDX"
    assert {v["id"] for v in default["vulnerabilities"]} == expected


def test_what_is_not_a_cyclonedx_sbom_is_refused(scanner: Any, sbom: dict[str, Any]) -> None:
    for bad in ({"spdxVersion": "SPDX-2.3"}, {**sbom, "specVersion": "1.6"}, ["not", "a", "bom"]):
        with pytest.raises(scanner.exceptions.ValidationException) as refused:
            scanner.scan_sbom(sbom=bad)
        assert refused.value.response["reason"] == "UNSUPPORTED_SBOM_TYPE"
    many = {**sbom, "components": [{"type": "library", "name": f"p{n}"} for n in range(5001)]}
    with pytest.raises(scanner.exceptions.ValidationException) as refused:
        scanner.scan_sbom(sbom=many)
    assert refused.value.response["reason"] == "FIELD_VALIDATION_FAILED"


def test_an_sbom_without_vulnerabilities(scanner: Any) -> None:
    clean = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "components": [{"type": "library", "name": "tidy", "purl": "pkg:pypi/vigil-untouched@1.0"}],
    }
    answer = scanner.scan_sbom(sbom=clean, outputFormat="CYCLONE_DX_1_5")["sbom"]
    assert answer["vulnerabilities"] == []
    assert answer["components"][0]["bom-ref"] == "comp-1"
    counts = {p["name"]: p["value"] for p in answer["metadata"]["properties"]}
    assert counts["amazon:inspector:sbom_scanner:critical_vulnerabilities"] == "0"
