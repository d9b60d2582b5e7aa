"""``run_scan`` end to end: a real advisory store (the OSV fixtures, NVD, EPSS and KEV synced
from their real files), a Debian 11 root file system with old Debian and PyPI packages, and
the findings it gives, down to the bytes botocore parses."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.loaders
import botocore.model
import botocore.parsers
import pytest

from tests.advisories.enriched import build_enriched_store
from tests.service.targets import docker_archive
from tests.targets.fixtures.layers import File
from vigil.advisories.store import AdvisoryStore
from vigil.findings import epoch_time, finding_document
from vigil.service.sbom import render_sbom
from vigil.service.scan import (
    AdvisoryDatabaseMissing,
    AdvisoryDatabaseTooOld,
    ScanOutcome,
    ScanRequest,
    finding_to_json,
    run_scan,
)
from vigil.service.vulnerability_facts import FactsCollector
from vigil.targets import MalformedTarget, TargetNotFound

SYNCED = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
SCANNED = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
OS_RELEASE = """PRETTY_NAME="Debian GNU/Linux 11 (bullseye)"
NAME="Debian GNU/Linux"
VERSION_ID="11"
VERSION="11 (bullseye)"
VERSION_CODENAME=bullseye
ID=debian
"""
# Versions of bullseye as released, before DSA-4982-1 (apache2) and DSA-5103-1 (openssl).
DPKG_STATUS = """Package: apache2-bin
Status: install ok installed
Architecture: amd64
Source: apache2
Version: 2.4.48-3.1

Package: libssl1.1
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 1.1.1k-1+deb11u1

"""
SITE = "usr/local/lib/python3.9/site-packages"
PYTHON = [("aiohttp", "3.7.3"), ("salt", "3000.1")]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("db")
    return build_enriched_store(directory, SYNCED)


def write_host(root: Path) -> Path:
    """A Debian 11 root with the packages above: old apache2 and openssl, aiohttp and salt."""
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
def host(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_host(tmp_path_factory.mktemp("host"))


@pytest.fixture(scope="module")
def outcome(db: Path, host: Path) -> ScanOutcome:
    return run_scan(ScanRequest(f"dir:{host}", None, db, timedelta(days=1)), clock=lambda: SCANNED)


def by_id(outcome: ScanOutcome) -> dict[str, dict[str, Any]]:
    return {f.vulnerability_id: finding_to_json(f) for f in outcome.findings}


def test_a_language_package_finding_named_by_nvd(outcome: ScanOutcome) -> None:
    assert outcome.understood
    found = by_id(outcome)["CVE-2021-21330"]
    assert found["title"] == "CVE-2021-21330 - aiohttp"
    assert found["severity"] == "MEDIUM"
    assert found["description"].startswith("aiohttp is an asynchronous HTTP client/server")
    assert found["resources"][0]["type"] == "AWS_EC2_INSTANCE"
    details = found["packageVulnerabilityDetails"]
    assert details["source"] == "NVD"
    assert details["sourceUrl"] == "https://nvd.nist.gov/vuln/detail/CVE-2021-21330"
    assert details["vendorSeverity"] == "MEDIUM"
    assert details["relatedVulnerabilities"] == ["GHSA-v6wp-4m6f-gcjg", "PYSEC-2021-76"]
    # NVD's own 3.1 and 2.0 assessments; GitHub's 3.1 (a CNA's, NVD "Secondary") is left out.
    assert [(c["source"], c["version"], c["baseScore"]) for c in details["cvss"]] == [
        ("NVD", "3.1", 6.1),
        ("NVD", "2.0", 5.8),
    ]
    assert "https://www.debian.org/security/2021/dsa-4864" in details["referenceUrls"]
    (package,) = details["vulnerablePackages"]
    assert package["packageManager"] == "PYTHONPKG"
    assert package["filePath"] == f"{SITE}/aiohttp-3.7.3.dist-info/METADATA"
    assert package["fixedInVersion"] == "3.7.4"
    assert package["vigil"]["matchedBy"][0]["record"] == "PYSEC-2021-76"
    assert found["vigil"]["cwes"] == ["CWE-601"]
    assert found["inspectorScore"] == 6.1


def test_an_os_package_finding_from_a_bundle_advisory(outcome: ScanOutcome) -> None:
    """CVE-2021-40438 is known here only through DSA-4982-1 (which fixes four CVEs) and KEV."""
    found = by_id(outcome)["CVE-2021-40438"]
    assert found["title"] == "CVE-2021-40438 - apache2-bin"
    assert found["severity"] == "UNTRIAGED"  # neither NVD nor the DSA scores it here
    assert (found["fixAvailable"], found["exploitAvailable"]) == ("YES", "YES")
    assert found["exploitabilityDetails"] == {"lastKnownExploitAt": "2021-12-01T00:00:00+00:00"}
    details = found["packageVulnerabilityDetails"]
    assert (details["source"], details["sourceUrl"]) == (
        "DEBIAN_CVE",
        "https://security-tracker.debian.org/tracker/CVE-2021-40438",
    )
    assert details["referenceUrls"] == ["https://security-tracker.debian.org/tracker/DSA-4982-1"]
    (package,) = details["vulnerablePackages"]
    assert {k: v for k, v in package.items() if k != "vigil"} == {
        "name": "apache2-bin",
        "version": "2.4.48",
        "epoch": 0,
        "release": "3.1",
        "arch": "amd64",
        "packageManager": "OS",
        "fixedInVersion": "0:2.4.51-1~deb11u1",
        "remediation": "apt-get update && apt-get upgrade",
    }
    assert package["vigil"]["ecosystem"] == "Debian:11"
    assert package["vigil"]["matchedBy"] == [
        {
            "record": "DSA-4982-1",
            "affectedIndex": 1,
            "ecosystem": "Debian:11",
            "range": {"index": 0, "events": [{"introduced": "0"}, {"fixed": "2.4.51-1~deb11u1"}]},
        }
    ]


def test_epss_and_kev_join_by_cve(outcome: ScanOutcome) -> None:
    found = by_id(outcome)
    assert found["CVE-2022-0778"]["epss"] == {"score": 0.73188}
    assert found["CVE-2022-0778"]["title"] == "CVE-2022-0778 - libssl1.1"
    salt = found["CVE-2020-11651"]
    assert salt["exploitAvailable"] == "YES"
    assert salt["exploitabilityDetails"] == {"lastKnownExploitAt": "2021-11-03T00:00:00+00:00"}
    # No NVD record here: the PyPA record that matched is the source.
    assert salt["packageVulnerabilityDetails"]["source"] == "OSV"
    assert salt["packageVulnerabilityDetails"]["relatedVulnerabilities"] == [
        "GHSA-pjhf-vpx3-33r3",
        "PYSEC-2020-102",
    ]
    assert salt["packageVulnerabilityDetails"]["vulnerablePackages"][0]["fixedInVersion"] == (
        "3000.2"
    )


def test_findings_are_sorted_and_their_arns_stable(
    outcome: ScanOutcome, db: Path, host: Path
) -> None:
    keys = [(-f.severity.rank, f.vulnerability_id) for f in outcome.findings]
    assert keys == sorted(keys)
    assert len({f.vulnerability_id for f in outcome.findings}) == len(outcome.findings)
    again = run_scan(ScanRequest(f"dir:{host}", None, db, None), clock=lambda: SCANNED)
    assert [f.finding_arn for f in again.findings] == [f.finding_arn for f in outcome.findings]
    assert outcome.findings[0].finding_arn.startswith("arn:aws:inspector2:local:000000000000:")
    assert set(outcome.timings) == {"catalog", "match", "findings"}
    assert outcome.match_warnings == ()
    assert outcome.database.updated_at == SYNCED
    assert outcome.database.age == timedelta(hours=12, minutes=30)


def test_botocore_parses_a_list_findings_response(outcome: ScanOutcome) -> None:
    model = botocore.model.ServiceModel(
        botocore.loaders.Loader().load_service_model("inspector2", "service-2")
    )
    shape = model.operation_model("ListFindings").output_shape
    documents = [finding_document(f, epoch_time) for f in outcome.findings]
    body = json.dumps({"findings": documents}).encode()
    response = {"status_code": 200, "headers": {}, "body": body}
    parsed = botocore.parsers.RestJSONParser().parse(response, shape)
    assert len(parsed["findings"]) == len(outcome.findings)
    first = parsed["findings"][0]
    assert first["firstObservedAt"] == SCANNED
    assert "vigil" not in first  # Vigil's extension is not part of the model
    apache = next(f for f in parsed["findings"] if f["title"] == "CVE-2021-40438 - apache2-bin")
    assert apache["exploitabilityDetails"]["lastKnownExploitAt"] == datetime(
        2021, 12, 1, tzinfo=UTC
    )
    assert apache["packageVulnerabilityDetails"]["vulnerablePackages"][0]["epoch"] == 0
    assert apache["resources"][0]["type"] == "AWS_EC2_INSTANCE"


def test_an_sbom_gives_the_same_findings(outcome: ScanOutcome, db: Path, tmp_path: Path) -> None:
    sbom = tmp_path / "host.cdx.json"
    sbom.write_bytes(render_sbom(outcome.inventory, "cyclonedx-json", created=SCANNED))
    from_sbom = run_scan(ScanRequest(None, sbom, db, None), clock=lambda: SCANNED)
    assert [f.vulnerability_id for f in from_sbom.findings] == [
        f.vulnerability_id for f in outcome.findings
    ]
    # The SBOM names the target it describes: the same resource, so the same finding ARNs.
    assert [f.finding_arn for f in from_sbom.findings] == [f.finding_arn for f in outcome.findings]


def test_a_target_nothing_was_found_in_is_not_understood(db: Path, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing to see")
    found = run_scan(ScanRequest(f"dir:{tmp_path}", None, db, None), clock=lambda: SCANNED)
    assert not found.understood
    assert found.findings == ()


def test_sbom_that_cannot_be_read(db: Path, tmp_path: Path) -> None:
    with pytest.raises(TargetNotFound):
        run_scan(ScanRequest(None, tmp_path / "absent.json", db, None))
    garbage = tmp_path / "garbage.json"
    garbage.write_text('{"hello": "world"}')
    with pytest.raises(MalformedTarget, match="not a CycloneDX, SPDX or vigil-json"):
        run_scan(ScanRequest(None, garbage, db, None))
    with pytest.raises(ValueError, match="exactly one"):
        run_scan(ScanRequest("dir:/", garbage, db, None))


def test_a_missing_or_foreign_database(host: Path, tmp_path: Path) -> None:
    target = f"dir:{host}"
    with pytest.raises(AdvisoryDatabaseMissing, match="no advisory database"):
        run_scan(ScanRequest(target, None, tmp_path / "absent.db", None))
    foreign = tmp_path / "foreign.db"
    foreign.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4096)
    with pytest.raises(AdvisoryDatabaseMissing):
        run_scan(ScanRequest(target, None, foreign, None))
    with AdvisoryStore(tmp_path / "empty.db"):
        pass
    with pytest.raises(AdvisoryDatabaseMissing, match="holds no advisories"):
        run_scan(ScanRequest(target, None, tmp_path / "empty.db", None))


def test_a_database_older_than_allowed(db: Path, host: Path) -> None:
    request = ScanRequest(f"dir:{host}", None, db, timedelta(hours=12))
    with pytest.raises(AdvisoryDatabaseTooOld, match="older than the allowed 12:00:00"):
        run_scan(request, clock=lambda: SCANNED)
    later = SYNCED + timedelta(hours=11)
    assert run_scan(request, clock=lambda: later).database.age == timedelta(hours=11)


@pytest.fixture
def store(db: Path) -> Iterator[AdvisoryStore]:
    with AdvisoryStore(db, create=False) as opened:
        yield opened


def test_facts_are_gathered_once_per_vulnerability(store: AdvisoryStore) -> None:
    collector = FactsCollector(store)
    first = collector.facts("CVE-2021-21330", ["PYSEC-2021-76"])
    assert collector.facts("CVE-2021-21330", ["PYSEC-2021-76"]) is first
    assert [r.id for r in first.records] == ["PYSEC-2021-76"]
    assert first.nvd is not None
    assert first.nvd.severity == "MEDIUM"
    # A bundle advisory is not a member of the CVE's group: asking for it adds it.
    bundle = collector.facts("CVE-2022-0778", ["DSA-5103-1"])
    assert {r.id for r in bundle.records} >= {"DSA-5103-1", "ALPINE-CVE-2022-0778"}
    widened = collector.facts("CVE-2022-0778", ["DLA-2952-1"])
    assert {r.id for r in widened.records} >= {"DSA-5103-1", "DLA-2952-1"}
    dsa = widened.record("DSA-5103-1")
    assert dsa is not None
    assert (dsa.source, dsa.os) == ("DEBIAN_CVE", True)
    alpine = widened.record("ALPINE-CVE-2022-0778")
    assert alpine is not None
    assert alpine.source_url == "https://security.alpinelinux.org/vuln/CVE-2022-0778"


def test_an_image_layer_is_named_on_its_packages(db: Path, tmp_path: Path) -> None:
    """A Debian 12 image whose second layer adds an old aiohttp: the finding names the image as
    an ECR-style resource and the layer that brought the package."""
    metadata = b"Metadata-Version: 2.1\nName: aiohttp\nVersion: 3.7.3\n"
    layer = [File(f"{SITE}/aiohttp-3.7.3.dist-info/METADATA", metadata)]
    archive = docker_archive(tmp_path / "image.tar", layer)
    found = run_scan(
        ScanRequest(f"docker-archive:{archive}", None, db, None), clock=lambda: SCANNED
    )
    document = by_id(found)["CVE-2021-21330"]
    assert document["resources"][0] == {
        "type": "AWS_ECR_CONTAINER_IMAGE",
        "id": f"docker-archive:{archive}",
        "partition": "aws",
        "region": "local",
    }
    (package,) = document["packageVulnerabilityDetails"]["vulnerablePackages"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", package["sourceLayerHash"])
    (location,) = next(p for p in found.inventory.packages if p.name == "aiohttp").locations
    assert package["sourceLayerHash"] == location.layer_digest
