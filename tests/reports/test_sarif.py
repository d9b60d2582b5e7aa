"""SARIF 2.1.0: valid against the OASIS schema, one rule per vulnerability, one result per
package, levels and GitHub's security-severity from the finding's severity."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from tests.reports.findings import AIOHTTP, OPENSSL, SUDO, UNTRIAGED, findings
from tests.reports.validators import sarif_errors
from vigil.reports.context import ReportContext
from vigil.reports.finding_view import read_finding
from vigil.reports.sarif import artifact_uri, render_sarif, security_severity


def sarif(found: list[dict[str, Any]], context: ReportContext) -> dict[str, Any]:
    data = render_sarif(found, context)
    assert sarif_errors(data) == []
    document: dict[str, Any] = json.loads(data)
    return document


def test_validates_and_names_the_tool(context: ReportContext) -> None:
    log = sarif(findings(), context)

    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "vigil"
    assert run["tool"]["driver"]["version"] == "0.1.0"
    assert run["properties"] == {"target": "dir:rootfs", "ignoredFindings": 2}


def test_one_rule_per_vulnerability_one_result_per_package(context: ReportContext) -> None:
    (run,) = sarif(findings(), context)["runs"]

    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [
        "CVE-2021-3156", "CVE-2022-0778", "CVE-2021-21330", "CVE-2013-4392", "GO-2026-4950"
    ]  # fmt: skip
    pairs = [(r["ruleId"], r["properties"]["packageName"]) for r in run["results"]]
    assert pairs == [
        ("CVE-2021-3156", "sudo"),
        ("CVE-2022-0778", "libssl1.1"),
        ("CVE-2022-0778", "openssl"),
        ("CVE-2021-21330", "aiohttp"),
        ("CVE-2013-4392", "systemd"),
        ("GO-2026-4950", "github.com/valyala/fasthttp"),
    ]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_levels_and_security_severity(context: ReportContext) -> None:
    (run,) = sarif(findings(), context)["runs"]

    by_id = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    levels = {rid: rule["defaultConfiguration"]["level"] for rid, rule in by_id.items()}
    assert levels == {
        "CVE-2021-3156": "error",
        "CVE-2022-0778": "error",
        "CVE-2021-21330": "warning",
        "CVE-2013-4392": "note",
        "GO-2026-4950": "warning",  # unscored is not known to be minor
    }
    scores = {rid: rule["properties"].get("security-severity") for rid, rule in by_id.items()}
    assert scores == {
        "CVE-2021-3156": "7.8",  # the Inspector score
        "CVE-2022-0778": "7.5",  # no Inspector score: the highest CVSS base score
        "CVE-2021-21330": "6.1",
        "CVE-2013-4392": "3.3",
        "GO-2026-4950": None,  # UNTRIAGED: GitHub falls back to the level
    }
    assert by_id["CVE-2021-3156"]["properties"]["tags"] == ["vulnerability", "security", "HIGH"]


def test_security_severity_stays_in_the_findings_band() -> None:
    # Debian rates the CVE "low" while NVD scores it 9.8: GitHub must show LOW, as Vigil does.
    vendor_low = SUDO | {"severity": "LOW", "inspectorScore": 9.8}
    assert security_severity(read_finding(vendor_low)) == "2.0"
    assert security_severity(read_finding(SUDO | {"severity": "CRITICAL"})) == "9.5"
    assert security_severity(read_finding(UNTRIAGED)) is None


def test_results_say_what_to_upgrade_and_where(context: ReportContext) -> None:
    (run,) = sarif(findings(), context)["runs"]
    results = {(r["ruleId"], r["properties"]["packageName"]): r for r in run["results"]}

    aiohttp = results["CVE-2021-21330", "aiohttp"]
    assert aiohttp["message"]["text"] == (
        "aiohttp 3.7.3 is affected by CVE-2021-21330 (MEDIUM). Fixed in 3.7.4."
    )
    location = aiohttp["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == (
        "usr/lib/python3/dist-packages/aiohttp-3.7.3.dist-info/METADATA"
    )
    assert location["region"]["startLine"] == 1
    assert aiohttp["properties"]["fixedVersion"] == "3.7.4"
    assert aiohttp["properties"]["purl"] == "pkg:pypi/aiohttp@3.7.3"
    # OS packages have no file of their own in Inspector's shape: the target is the location.
    sudo = results["CVE-2021-3156", "sudo"]
    assert sudo["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "rootfs"
    systemd = results["CVE-2013-4392", "systemd"]
    assert systemd["message"]["text"].endswith("The distribution will not fix it.")
    assert "fixedVersion" not in systemd["properties"]
    # Fingerprints are stable across runs and distinct per package.
    prints = [r["partialFingerprints"]["vigilPackage/v1"] for r in run["results"]]
    assert len(set(prints)) == len(prints)
    assert prints == [
        r["partialFingerprints"]["vigilPackage/v1"]
        for r in sarif(findings(), context)["runs"][0]["results"]
    ]


def test_help_has_fixed_versions_and_references(context: ReportContext) -> None:
    (run,) = sarif([OPENSSL, AIOHTTP], context)["runs"]
    rule = run["tool"]["driver"]["rules"][1]

    assert rule["helpUri"] == "https://nvd.nist.gov/vuln/detail/CVE-2021-21330"
    text = rule["help"]["text"]
    assert "aiohttp 3.7.3: 3.7.4" in text
    assert "- https://github.com/aio-libs/aiohttp/security/advisories/GHSA-v6wp-4m6f-gcjg" in text
    markdown = rule["help"]["markdown"]
    assert "| aiohttp | 3.7.3 | 3.7.4 |" in markdown
    assert "- <https://nvd.nist.gov/vuln/detail/CVE-2021-21330>" in markdown
    openssl = run["tool"]["driver"]["rules"][0]["help"]["text"]
    assert "libssl1.1 1.1.1k-1+deb11u1: 1.1.1k-1+deb11u2" in openssl
    assert "openssl 1.1.1k-1+deb11u1: 1.1.1k-1+deb11u2" in openssl


def test_hostile_text_stays_literal_markdown(context: ReportContext) -> None:
    evil = AIOHTTP | {"description": "# Title\n<script>x</script> [click](javascript:x)"}
    details = dict(evil["packageVulnerabilityDetails"])
    details["referenceUrls"] = ["javascript:alert(1)", "https://ok.example/a b"]
    evil["packageVulnerabilityDetails"] = details
    (run,) = sarif([evil], context)["runs"]
    markdown = run["tool"]["driver"]["rules"][0]["help"]["markdown"]

    assert "\\# Title \\<script\\>x\\</script\\> \\[click\\](javascript:x)" in markdown
    assert "javascript:alert" not in markdown
    assert "ok.example/a b" not in markdown


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("usr/lib/a b/METADATA", "usr/lib/a%20b/METADATA"),
        ("/abs/path", "abs/path"),
        ("dir:/srv/rootfs", "srv/rootfs"),
        ("registry:alpine:3.19", "alpine%3A3.19"),
        ("image.tar", "image.tar"),
        ("x\ny#z?q", "x%0Ay%23z%3Fq"),
        ("", "."),
    ],
)
def test_artifact_uris_are_relative_references(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri


def test_awkward_targets_and_empty_runs_validate(context: ReportContext) -> None:
    awkward = replace(context, target="docker-archive:/tmp/ü image.tar")
    log = sarif(findings(), awkward)
    sudo = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert sudo["artifactLocation"]["uri"] == "tmp/%C3%BC%20image.tar"
    empty = sarif([], context)
    assert empty["runs"][0]["results"] == []
    assert empty["runs"][0]["tool"]["driver"]["rules"] == []


def test_the_schema_does_reject_invalid_logs(context: ReportContext) -> None:
    log = json.loads(render_sarif(findings(), context))
    log["runs"][0]["results"][0]["level"] = "fatal"
    del log["runs"][0]["tool"]["driver"]["name"]
    assert len(sarif_errors(json.dumps(log).encode())) == 2
