"""CycloneDX 1.6 VEX: valid by cyclonedx-python-lib, components with purls, analysis states."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from tests.reports.findings import AIOHTTP, OPENSSL, SUDO, findings
from tests.reports.validators import vex_errors
from vigil.reports.context import ReportContext
from vigil.reports.vex import render_vex


def vex(found: list[dict[str, Any]], context: ReportContext) -> dict[str, Any]:
    data = render_vex(found, context)
    assert vex_errors(data) == []
    document: dict[str, Any] = json.loads(data)
    return document


def test_validates_with_metadata(context: ReportContext) -> None:
    bom = vex(findings(), context)

    assert (bom["bomFormat"], bom["specVersion"], bom["version"]) == ("CycloneDX", "1.6", 1)
    assert bom["metadata"]["timestamp"] == "2026-01-02T03:04:05+00:00"
    assert bom["metadata"]["component"]["name"] == "dir:rootfs"
    assert bom["metadata"]["tools"]["components"][0]["name"] == "vigil"
    assert bom["metadata"]["properties"] == [{"name": "vigil:scan:ignored-findings", "value": "2"}]


def test_serial_number_is_derived_from_content_unless_given(context: ReportContext) -> None:
    first = vex(findings(), context)["serialNumber"]
    assert first == vex(findings(), context)["serialNumber"]
    assert first.startswith("urn:uuid:")
    assert first != vex(findings()[:2], context)["serialNumber"]
    given = "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"
    assert vex(findings(), replace(context, serial_number=given))["serialNumber"] == given


def test_components_are_the_affected_packages(context: ReportContext) -> None:
    bom = vex(findings(), context)

    refs = [(c["bom-ref"], c["name"], c["version"]) for c in bom["components"]]
    assert refs == [
        ("pkg:deb/debian/sudo@1.8.27-1%2Bdeb10u2?arch=amd64&distro=debian-10", "sudo",
         "1.8.27-1+deb10u2"),
        ("pkg:deb/debian/libssl1.1@1.1.1k-1%2Bdeb11u1?arch=amd64", "libssl1.1",
         "1.1.1k-1+deb11u1"),
        ("pkg:deb/debian/openssl@1.1.1k-1%2Bdeb11u1?arch=amd64", "openssl", "1.1.1k-1+deb11u1"),
        ("pkg:pypi/aiohttp@3.7.3", "aiohttp", "3.7.3"),
        ("pkg:deb/debian/systemd@247.3-7%2Bdeb11u1", "systemd", "247.3-7+deb11u1"),
        ("pkg:golang/github.com/valyala/fasthttp@v1.69.0", "github.com/valyala/fasthttp",
         "v1.69.0"),
    ]  # fmt: skip
    assert all(c["purl"] == c["bom-ref"] for c in bom["components"])
    by_id = {v["id"]: v for v in bom["vulnerabilities"]}
    assert [a["ref"] for a in by_id["CVE-2022-0778"]["affects"]] == [
        "pkg:deb/debian/libssl1.1@1.1.1k-1%2Bdeb11u1?arch=amd64",
        "pkg:deb/debian/openssl@1.1.1k-1%2Bdeb11u1?arch=amd64",
    ]
    assert by_id["CVE-2021-21330"]["affects"] == [
        {"ref": "pkg:pypi/aiohttp@3.7.3", "versions": [{"version": "3.7.3", "status": "affected"}]}
    ]


def test_ratings_cwes_references_and_analysis(context: ReportContext) -> None:
    bom = vex(findings(), context)
    by_id = {v["id"]: v for v in bom["vulnerabilities"]}

    sudo = by_id["CVE-2021-3156"]
    assert sudo["source"] == {
        "name": "DEBIAN_CVE", "url": "https://nvd.nist.gov/vuln/detail/CVE-2021-3156"
    }  # fmt: skip
    assert sudo["ratings"] == [
        {"source": {"name": "NVD"}, "score": 7.8, "severity": "high", "method": "CVSSv31",
         "vector": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"},
        {"source": {"name": "NVD"}, "score": 7.2, "severity": "high", "method": "CVSSv2",
         "vector": "AV:L/AC:L/Au:N/C:C/I:C/A:C"},
        {"source": {"name": "Vigil (Inspector severity)"}, "score": 7.8, "severity": "high",
         "method": "other"},
    ]  # fmt: skip
    assert sudo["cwes"] == [193]
    assert sudo["references"] == [
        {"id": "DSA-4839-1", "source": {
            "name": "Debian", "url": "https://security-tracker.debian.org/tracker/DSA-4839-1"}},
        {"id": "DLA-2534-1", "source": {
            "name": "Debian", "url": "https://security-tracker.debian.org/tracker/DLA-2534-1"}},
    ]  # fmt: skip
    # In CISA's KEV catalog: exploitable; a fixed version exists: update.
    assert sudo["analysis"]["state"] == "exploitable"
    assert sudo["analysis"]["response"] == ["update"]
    assert sudo["recommendation"] == "Upgrade sudo to 1.8.27-1+deb10u3."
    props = {p["name"]: p["value"] for p in sudo["properties"]}
    assert props["vigil:finding:epss"] == "0.94"
    assert props["vigil:finding:last-known-exploit"] == "2022-04-06T00:00:00+00:00"

    aiohttp = by_id["CVE-2021-21330"]
    assert aiohttp["analysis"]["state"] == "in_triage"
    assert [r["id"] for r in aiohttp["references"]] == ["GHSA-v6wp-4m6f-gcjg", "PYSEC-2021-76"]
    assert aiohttp["references"][0]["source"] == {
        "name": "GitHub Advisories", "url": "https://github.com/advisories/GHSA-v6wp-4m6f-gcjg"
    }  # fmt: skip
    wont = by_id["CVE-2013-4392"]
    assert wont["analysis"]["response"] == ["will_not_fix"]
    assert "recommendation" not in wont
    unscored = by_id["GO-2026-4950"]
    assert unscored["ratings"] == [
        {"source": {"name": "Vigil (Inspector severity)"}, "severity": "unknown", "method": "other"}
    ]


def test_one_component_for_a_package_in_two_findings(context: ReportContext) -> None:
    second = OPENSSL | {"findingArn": OPENSSL["findingArn"][:-1] + "f"}
    details = dict(second["packageVulnerabilityDetails"], vulnerabilityId="CVE-2023-0286")
    second["packageVulnerabilityDetails"] = details
    bom = vex([OPENSSL, second], context)

    assert len(bom["components"]) == 2
    first, again = (v["affects"] for v in bom["vulnerabilities"])
    assert first == again


def test_packages_without_purl_and_duplicate_purls_get_unique_refs(
    context: ReportContext,
) -> None:
    copy_a = AIOHTTP
    copy_b = AIOHTTP | {}
    details = dict(copy_b["packageVulnerabilityDetails"])
    moved = dict(details["vulnerablePackages"][0], filePath="venv/aiohttp/METADATA")
    bare = {"name": "weird name", "version": "1", "fixedInVersion": "NotAvailable"}
    details["vulnerablePackages"] = [moved, bare]
    copy_b["packageVulnerabilityDetails"] = details
    bom = vex([copy_a, copy_b, SUDO], context)

    refs = [c["bom-ref"] for c in bom["components"]]
    assert refs == [
        "pkg:pypi/aiohttp@3.7.3",
        "pkg:pypi/aiohttp@3.7.3#2",
        "vigil:package:weird name@1",
        "pkg:deb/debian/sudo@1.8.27-1%2Bdeb10u2?arch=amd64&distro=debian-10",
    ]
    assert "purl" not in bom["components"][2]


def test_empty_and_the_validator_does_reject(context: ReportContext) -> None:
    bom = vex([], context)
    assert bom["vulnerabilities"] == []
    broken = json.loads(render_vex(findings(), context))
    broken["vulnerabilities"][0]["analysis"]["state"] = "probably_fine"
    broken["vulnerabilities"][0]["cwes"] = ["CWE-193"]
    assert len(vex_errors(json.dumps(broken).encode())) >= 2
