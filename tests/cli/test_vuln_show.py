"""``vigil vuln show ID``: any id of a vulnerability, with CVSS, EPSS, KEV and affected packages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_db_support import build_args, run


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("vuln")
    out = folder / "advisories.db"
    done = run("db", "build", "-o", out, *build_args(folder / "inputs"))
    assert done.exit_code == 0, done.output
    return out


def show(store: Path, identifier: str) -> dict[str, Any]:
    done = run("vuln", "show", identifier, "--db", store, "--json")
    assert done.exit_code == 0, done.output
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def test_a_cve_with_nvd_scores(store: Path) -> None:
    found = show(store, "CVE-2021-21330")

    assert found["id"] == "CVE-2021-21330"
    assert found["aliases"] == ["GHSA-v6wp-4m6f-gcjg", "PYSEC-2021-76"]
    assert found["records"] == ["PYSEC-2021-76"]
    assert found["summary"].startswith("aiohttp is an asynchronous HTTP client/server framework")
    assert found["cwes"] == ["CWE-601"]
    assert found["nvd_status"] == "Modified"
    rows = [(c["version"], c["base_score"], c["severity"], c["source"]) for c in found["cvss"]]
    assert rows == [
        ("3.1", 6.1, "MEDIUM", "NVD: nvd@nist.gov (primary)"),
        ("3.1", 3.1, "LOW", "NVD: security-advisories@github.com"),
        ("2.0", 5.8, "MEDIUM", "NVD: nvd@nist.gov (primary)"),
    ]
    assert all(c["stated_score"] == c["base_score"] for c in found["cvss"])
    (affected,) = found["affected"]
    assert (affected["ecosystem"], affected["name"], affected["fixed"]) == (
        "PyPI",
        "aiohttp",
        ["3.7.4"],
    )
    ranges = {r["type"]: r for r in affected["ranges"]}
    assert ranges["ECOSYSTEM"]["intervals"] == ["<3.7.4"]
    assert ranges["ECOSYSTEM"]["events"] == [["introduced", "0"], ["fixed", "3.7.4"]]
    assert ranges["GIT"]["repo"] == "https://github.com/aio-libs/aiohttp"
    assert found["kev"] is None
    assert found["epss"] is None


@pytest.mark.parametrize("alias", ["PYSEC-2021-76", "GHSA-v6wp-4m6f-gcjg", "ghsa-v6wp-4m6f-gcjg"])
def test_every_alias_names_the_same_vulnerability(store: Path, alias: str) -> None:
    found = show(store, alias)
    assert (found["id"], found["query"]) == ("CVE-2021-21330", alias)


def test_cvss_v4_is_scored_from_its_vector(store: Path) -> None:
    found = show(store, "CVE-2025-0168")  # in NVD only: no OSV record names it
    versions = {c["version"]: (c["base_score"], c["stated_score"]) for c in found["cvss"]}
    assert versions == {"4.0": (5.3, 5.3), "3.1": (6.3, 6.3), "2.0": (6.5, 6.5)}
    assert found["records"] == []
    assert found["affected"] == []


def test_a_known_exploited_cve_fixed_by_distributions(store: Path) -> None:
    found = show(store, "CVE-2021-3156")

    assert found["kev"] == {
        "date_added": "2022-04-06",
        "due_date": "2022-04-27",
        "required_action": "Apply updates per vendor instructions.",
        "vendor": "Sudo",
        "product": "Sudo",
        "name": "Sudo Heap-Based Buffer Overflow Vulnerability",
        "ransomware": "Unknown",
    }
    # Advisories naming this CVE alone are the same vulnerability, not bundles.
    assert found["records"] == ["ALPINE-CVE-2021-3156", "DLA-2534-1", "DSA-4839-1"]
    assert found["covered_by"] == []
    by_record = {(a["record"], a["ecosystem"]): a for a in found["affected"]}
    dsa = by_record["DSA-4839-1", "Debian:10"]
    assert (dsa["name"], dsa["fixed"], dsa["via_bundle"]) == ("sudo", ["1.8.27-1+deb10u3"], False)


def test_epss_and_the_table(store: Path) -> None:
    done = run("vuln", "show", "CVE-2022-0778", "--db", store, env={"COLUMNS": "160"})

    assert done.exit_code == 0, done.output
    out = done.stdout
    assert out.startswith("CVE-2022-0778\n")
    assert "fixed in  DLA-2952-1, DSA-5103-1" in out
    assert "EPSS      0.73188 (percentile 0.99444, 2026-09-29)" in out
    assert "KEV       not in CISA's catalog" in out
    assert (
        "│ Alpine:v3.15 │ openssl │ <1.1.1n-r0        │ 1.1.1n-r0        │ ALPINE-CVE-2022-0778"
        in out
    )
    assert (
        "│ Debian:11    │ openssl │ <1.1.1k-1+deb11u2 │ 1.1.1k-1+deb11u2 │ DSA-5103-1 (bundle)"
        in out
    )


def test_a_bundle_advisory_lists_what_it_fixes(store: Path) -> None:
    found = show(store, "DSA-1054-1")
    assert found["id"] == "DSA-1054-1"
    assert found["covers"] == ["CVE-2006-2024", "CVE-2006-2025", "CVE-2006-2026"]
    assert found["summary"] == "tiff - several vulnerabilities"
    fixed_by = show(store, "CVE-2006-2025")
    assert fixed_by["covered_by"] == ["DSA-1054-1"]
    assert [a["name"] for a in fixed_by["affected"]] == ["tiff"]


def test_go_ids_and_withdrawn_records(store: Path) -> None:
    found = show(store, "GO-2020-0001")
    assert found["affected"]
    assert all(a["ecosystem"] == "Go" for a in found["affected"])
    withdrawn = show(store, "GO-2022-0617")
    assert withdrawn["withdrawn"] == ["GO-2022-0617"]
    assert all(a["withdrawn"] for a in withdrawn["affected"])


def test_unknown_ids_and_missing_stores(tmp_path: Path, store: Path) -> None:
    unknown = run("vuln", "show", "CVE-1900-0001", "--db", store)
    assert unknown.exit_code == 1
    assert unknown.stdout == ""
    assert unknown.stderr == f"vigil: error: CVE-1900-0001: no such vulnerability in {store}\n"
    missing = run("vuln", "show", "CVE-2021-21330", "--data-dir", tmp_path)
    assert missing.exit_code == 1
    assert "no advisory store here" in missing.stderr
    assert not (tmp_path / "advisories.db").exists()
