"""Inspector-shaped findings (as ``vigil scan --format json`` writes them) for report tests.

The facts are real: sudo's CVE-2021-3156 (in CISA's KEV catalog, fixed by DSA-4839-1),
OpenSSL's CVE-2022-0778 (EPSS 0.73188, fixed by DSA-5103-1), aiohttp's CVE-2021-21330
(PYSEC-2021-76, NVD 6.1), fasthttp's GO-2026-4950 (no alias, no score: UNTRIAGED). The
won't-fix one is shaped like what Vigil emits for the Debian tracker's "ignored" entries.
"""

from __future__ import annotations

import copy
from typing import Any

ACCOUNT = "000000000000"
ARN = "arn:aws:inspector2:local:000000000000:finding/"


def _finding(
    number: int,
    vulnerability: str,
    severity: str,
    packages: list[dict[str, Any]],
    **extra: Any,
) -> dict[str, Any]:
    names = ", ".join(p["name"] for p in packages)
    fixed = [p.get("fixedInVersion", "NotAvailable") != "NotAvailable" for p in packages]
    finding: dict[str, Any] = {
        "findingArn": f"{ARN}{number:032x}",
        "awsAccountId": ACCOUNT,
        "type": "PACKAGE_VULNERABILITY",
        "description": extra.pop("description", f"{vulnerability} description."),
        "title": f"{vulnerability} - {names}",
        "remediation": {"recommendation": {"text": "Upgrade the affected packages."}},
        "severity": severity,
        "firstObservedAt": "2026-01-02T03:04:05+00:00",
        "lastObservedAt": "2026-01-02T03:04:05+00:00",
        "updatedAt": "2026-01-02T03:04:05+00:00",
        "status": "ACTIVE",
        "resources": [{"type": "AWS_ECR_CONTAINER_IMAGE", "id": "dir:rootfs"}],
        "fixAvailable": "YES" if all(fixed) else ("PARTIAL" if any(fixed) else "NO"),
        "exploitAvailable": extra.pop("exploitAvailable", "NO"),
        "packageVulnerabilityDetails": {
            "vulnerabilityId": vulnerability,
            "vulnerablePackages": packages,
            "source": extra.pop("source", "NVD"),
            "sourceUrl": f"https://nvd.nist.gov/vuln/detail/{vulnerability}",
            "referenceUrls": extra.pop("referenceUrls", []),
            "relatedVulnerabilities": extra.pop("related", []),
            "cvss": extra.pop("cvss", []),
        },
    }
    finding.update(extra)
    return finding


SUDO = _finding(
    1,
    "CVE-2021-3156",
    "HIGH",
    [
        {
            "name": "sudo",
            "version": "1.8.27",
            "release": "1+deb10u2",
            "epoch": 0,
            "arch": "amd64",
            "packageManager": "OS",
            "fixedInVersion": "1.8.27-1+deb10u3",
            "remediation": "apt-get update && apt-get install --only-upgrade sudo",
            "vigil": {"purl": "pkg:deb/debian/sudo@1.8.27-1%2Bdeb10u2?arch=amd64&distro=debian-10"},
        }
    ],
    exploitAvailable="YES",
    exploitabilityDetails={"lastKnownExploitAt": "2022-04-06T00:00:00+00:00"},
    epss={"score": 0.94},
    inspectorScore=7.8,
    source="DEBIAN_CVE",
    related=["DSA-4839-1", "DLA-2534-1"],
    referenceUrls=["https://security-tracker.debian.org/tracker/DSA-4839-1"],
    cvss=[
        {
            "baseScore": 7.8,
            "scoringVector": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
            "version": "3.1",
            "source": "NVD",
        },
        {
            "baseScore": 7.2,
            "scoringVector": "AV:L/AC:L/Au:N/C:C/I:C/A:C",
            "version": "2.0",
            "source": "NVD",
        },
    ],
    vigil={"cwes": ["CWE-193"]},
)

OPENSSL = _finding(
    2,
    "CVE-2022-0778",
    "HIGH",
    [
        {
            "name": "libssl1.1",
            "version": "1.1.1k",
            "release": "1+deb11u1",
            "packageManager": "OS",
            "fixedInVersion": "1.1.1k-1+deb11u2",
            "vigil": {"purl": "pkg:deb/debian/libssl1.1@1.1.1k-1%2Bdeb11u1?arch=amd64"},
        },
        {
            "name": "openssl",
            "version": "1.1.1k",
            "release": "1+deb11u1",
            "packageManager": "OS",
            "fixedInVersion": "1.1.1k-1+deb11u2",
            "vigil": {"purl": "pkg:deb/debian/openssl@1.1.1k-1%2Bdeb11u1?arch=amd64"},
        },
    ],
    epss={"score": 0.73188},
    source="DEBIAN_CVE",
    related=["DSA-5103-1"],
    cvss=[
        {
            "baseScore": 7.5,
            "scoringVector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
            "version": "3.1",
            "source": "NVD",
        }
    ],
    vigil={"cwes": ["CWE-835"]},
)

AIOHTTP = _finding(
    3,
    "CVE-2021-21330",
    "MEDIUM",
    [
        {
            "name": "aiohttp",
            "version": "3.7.3",
            "packageManager": "PYTHONPKG",
            "filePath": "usr/lib/python3/dist-packages/aiohttp-3.7.3.dist-info/METADATA",
            "fixedInVersion": "3.7.4",
            "vigil": {"purl": "pkg:pypi/aiohttp@3.7.3"},
        }
    ],
    description="aiohttp is an asynchronous HTTP client/server framework for asyncio and Python.",
    source="GITHUB",
    related=["GHSA-v6wp-4m6f-gcjg", "PYSEC-2021-76"],
    referenceUrls=["https://github.com/aio-libs/aiohttp/security/advisories/GHSA-v6wp-4m6f-gcjg"],
    cvss=[
        {
            "baseScore": 6.1,
            "scoringVector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
            "version": "3.1",
            "source": "NVD",
        }
    ],
    epss={"score": 0.00513},
    inspectorScore=6.1,
    vigil={"cwes": ["CWE-601"]},
)

WONT_FIX = _finding(
    4,
    "CVE-2013-4392",
    "LOW",
    [
        {
            "name": "systemd",
            "version": "247.3",
            "release": "7+deb11u1",
            "packageManager": "OS",
            "fixedInVersion": "NotAvailable",
            "vigil": {"fixState": "WONT_FIX", "purl": "pkg:deb/debian/systemd@247.3-7%2Bdeb11u1"},
        }
    ],
    source="DEBIAN_CVE",
    cvss=[
        {
            "baseScore": 3.3,
            "scoringVector": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N",
            "version": "3.1",
            "source": "NVD",
        }
    ],
)

UNTRIAGED = _finding(
    5,
    "GO-2026-4950",
    "UNTRIAGED",
    [
        {
            "name": "github.com/valyala/fasthttp",
            "version": "v1.69.0",
            "packageManager": "GOBINARY",
            "filePath": "usr/local/bin/server",
            "fixedInVersion": "1.70.0",
            "vigil": {"purl": "pkg:golang/github.com/valyala/fasthttp@v1.69.0"},
        }
    ],
    description="Authorization bypass via double-encoded paths in github.com/valyala/fasthttp",
    source="OSV",
)


def findings() -> list[dict[str, Any]]:
    """The five findings, severity descending as the scan sorts them (fresh copies)."""
    return copy.deepcopy([SUDO, OPENSSL, AIOHTTP, WONT_FIX, UNTRIAGED])
