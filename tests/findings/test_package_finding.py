"""Package findings in Inspector's shape, built from matches and vulnerability facts.

The packages are real ones (versions as their package managers report them); the matches are
the values the matcher produces, written out so each rule of the builder is seen on its own.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import botocore.loaders
import pytest

from vigil.domain import Ecosystem, Location, Package, Severity
from vigil.findings import (
    EXTENSION,
    NOT_AVAILABLE,
    RecordFacts,
    ResourceRef,
    VulnerabilityFacts,
    build_package_finding,
    finding_arn,
    finding_document,
    local_resource,
    stable_finding_id,
)
from vigil.findings.package_manager import (
    SplitVersion,
    fixed_in_version,
    package_manager,
    split_version,
)
from vigil.matching import FixState, Match, MatchReason
from vigil.scoring import score_vector

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LAYER = "sha256:" + "ab" * 32
HOST = ResourceRef("AWS_EC2_INSTANCE", "i-0123456789abcdef0", "123456789012", "eu-west-1")


def package(
    ecosystem: str,
    name: str,
    version: str,
    purl: str,
    cataloger: str,
    path: str = "",
    *,
    layer: str | None = None,
    source: tuple[str, str] | None = None,
    arch: str | None = None,
) -> Package:
    return Package(
        name=name,
        version=version,
        ecosystem=Ecosystem.parse(ecosystem),
        purl=purl,
        cataloger=cataloger,
        locations=(Location(path, layer),) if path else (),
        source_name=source[0] if source else None,
        source_version=source[1] if source else None,
        arch=arch,
    )


AIOHTTP = package(
    "PyPI",
    "aiohttp",
    "3.7.3",
    "pkg:pypi/aiohttp@3.7.3",
    "python-installed",
    "usr/lib/python3/dist-packages/aiohttp-3.7.3.dist-info/METADATA",
    layer=LAYER,
)
ZLIB = package(
    "Debian:12",
    "zlib1g",
    "1:1.2.13.dfsg-1",
    "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64",
    "dpkg",
    "var/lib/dpkg/status",
    layer=LAYER,
    source=("zlib", "1:1.2.13.dfsg-1"),
    arch="amd64",
)


def reason(record: str, ecosystem: str, events: tuple[tuple[str, str], ...]) -> MatchReason:
    return MatchReason(record, 0, ecosystem, 0, events)


def aiohttp_match() -> Match:
    events = (("introduced", "0"), ("fixed", "3.7.4"))
    return Match(
        AIOHTTP,
        "CVE-2021-21330",
        FixState.FIXED,
        ("3.7.4",),
        (reason("PYSEC-2021-76", "PyPI", events),),
    )


def aiohttp_facts(**changes: object) -> VulnerabilityFacts:
    facts = {
        "vulnerability_id": "CVE-2021-21330",
        "aliases": ("GHSA-v6wp-4m6f-gcjg", "PYSEC-2021-76"),
        "description": "aiohttp is an asynchronous HTTP client/server framework.",
        "records": (
            RecordFacts(
                "PYSEC-2021-76",
                "OSV",
                "https://osv.dev/vulnerability/PYSEC-2021-76",
                os=False,
                published=datetime(2021, 2, 26, 3, 15, tzinfo=UTC),
                modified=datetime(2021, 3, 26, 20, 1, tzinfo=UTC),
                references=("https://pypi.org/project/aiohttp/",),
            ),
        ),
        "cvss": (score_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "NVD"),),
        "cwes": ("CWE-601",),
        "epss": 0.00413,
    }
    facts.update(changes)
    return VulnerabilityFacts(**facts)  # type: ignore[arg-type]


def test_a_language_finding_has_inspectors_members() -> None:
    finding = build_package_finding(HOST, [aiohttp_match()], aiohttp_facts(), observed_at=NOW)
    doc = finding_document(finding)
    assert doc["findingArn"] == (
        "arn:aws:inspector2:eu-west-1:123456789012:finding/"
        + stable_finding_id("123456789012", "i-0123456789abcdef0", "CVE-2021-21330")
    )
    assert (doc["type"], doc["status"], doc["awsAccountId"]) == (
        "PACKAGE_VULNERABILITY",
        "ACTIVE",
        "123456789012",
    )
    assert doc["title"] == "CVE-2021-21330 - aiohttp"
    assert doc["severity"] == "MEDIUM"
    assert (doc["fixAvailable"], doc["exploitAvailable"]) == ("YES", "NO")
    assert "exploitabilityDetails" not in doc
    assert doc["epss"] == {"score": 0.00413}
    assert doc["inspectorScore"] == 6.1
    assert doc["inspectorScoreDetails"] == {
        "adjustedCvss": {
            "scoreSource": "NVD",
            "cvssSource": "NVD",
            "version": "3.1",
            "score": 6.1,
            "scoringVector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
            "adjustments": [],
        }
    }
    assert doc["firstObservedAt"] == doc["lastObservedAt"] == "2026-03-01T12:00:00+00:00"
    assert doc["resources"] == [
        {
            "type": "AWS_EC2_INSTANCE",
            "id": "i-0123456789abcdef0",
            "partition": "aws",
            "region": "eu-west-1",
        }
    ]
    details = doc["packageVulnerabilityDetails"]
    assert details["vulnerabilityId"] == "CVE-2021-21330"
    assert details["relatedVulnerabilities"] == ["GHSA-v6wp-4m6f-gcjg", "PYSEC-2021-76"]
    # No NVD facts: the matched record is the source.
    assert (details["source"], details["sourceUrl"]) == (
        "OSV",
        "https://osv.dev/vulnerability/PYSEC-2021-76",
    )
    assert details["vendorCreatedAt"] == "2021-02-26T03:15:00+00:00"
    assert details["cvss"] == [
        {
            "baseScore": 6.1,
            "scoringVector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
            "version": "3.1",
            "source": "NVD",
        }
    ]
    assert details["vulnerablePackages"] == [
        {
            "name": "aiohttp",
            "version": "3.7.3",
            "packageManager": "PYTHONPKG",
            "filePath": "usr/lib/python3/dist-packages/aiohttp-3.7.3.dist-info/METADATA",
            "sourceLayerHash": LAYER,
            "fixedInVersion": "3.7.4",
            "remediation": "Upgrade aiohttp to version 3.7.4 or later",
            EXTENSION: {
                "purl": "pkg:pypi/aiohttp@3.7.3",
                "ecosystem": "PyPI",
                "fixState": "FIXED",
                "matchedBy": [
                    {
                        "record": "PYSEC-2021-76",
                        "affectedIndex": 0,
                        "ecosystem": "PyPI",
                        "range": {"index": 0, "events": [{"introduced": "0"}, {"fixed": "3.7.4"}]},
                    }
                ],
            },
        }
    ]
    assert doc[EXTENSION] == {"cwes": ["CWE-601"]}
    assert doc["remediation"] == {
        "recommendation": {
            "text": "Upgrade aiohttp to 3.7.4.",
            "Url": "https://osv.dev/vulnerability/PYSEC-2021-76",
        }
    }


def test_every_member_name_is_botocores() -> None:
    """The document's keys (but Vigil's own extension) are members of botocore's shapes."""
    shapes = botocore.loaders.Loader().load_service_model("inspector2", "service-2")["shapes"]
    doc = finding_document(
        build_package_finding(HOST, [aiohttp_match()], aiohttp_facts(), observed_at=NOW)
    )

    def check(value: object, shape_name: str) -> None:
        shape = shapes[shape_name]
        if shape["type"] == "structure":
            assert isinstance(value, dict)
            members = shape["members"]
            for key, item in value.items():
                if key == EXTENSION:
                    continue
                assert key in members, f"{key} is not a member of {shape_name}"
                check(item, members[key]["shape"])
            assert set(shape.get("required", ())) <= set(value), shape_name
        elif shape["type"] == "list":
            assert isinstance(value, list)
            for item in value:
                check(item, shape["member"]["shape"])
        elif "enum" in shape:
            assert value in shape["enum"], f"{value} is not a {shape_name}"

    check(doc, "Finding")


def test_a_known_exploited_vulnerability_is_adjusted_and_dated() -> None:
    facts = aiohttp_facts(kev_date_added=date(2025, 8, 25))
    doc = finding_document(build_package_finding(HOST, [aiohttp_match()], facts, observed_at=NOW))
    assert doc["exploitAvailable"] == "YES"
    assert doc["exploitabilityDetails"] == {"lastKnownExploitAt": "2025-08-25T00:00:00+00:00"}
    adjusted = doc["inspectorScoreDetails"]["adjustedCvss"]
    assert adjusted["adjustments"] == [
        {"metric": "exploitCodeMaturity", "reason": "known exploited (CISA KEV since 2025-08-25)"}
    ]
    assert adjusted["scoringVector"].endswith("/E:H")


def test_fix_available_is_partial_when_some_packages_have_no_fix() -> None:
    vendored = package(
        "PyPI",
        "aiohttp",
        "3.7.3",
        "pkg:pypi/aiohttp@3.7.3",
        "python-installed",
        "opt/app/aiohttp-3.7.3.dist-info/METADATA",
    )
    unfixed = Match(vendored, "CVE-2021-21330", FixState.NOT_FIXED, (), aiohttp_match().reasons)
    finding = build_package_finding(
        HOST, [aiohttp_match(), unfixed], aiohttp_facts(), observed_at=NOW
    )
    assert finding.fix_available == "PARTIAL"
    fixes = [(p.file_path, p.fixed_in_version) for p in finding.details.vulnerable_packages]
    assert fixes == [
        ("opt/app/aiohttp-3.7.3.dist-info/METADATA", NOT_AVAILABLE),
        ("usr/lib/python3/dist-packages/aiohttp-3.7.3.dist-info/METADATA", "3.7.4"),
    ]
    only_unfixed = build_package_finding(HOST, [unfixed], aiohttp_facts(), observed_at=NOW)
    assert only_unfixed.fix_available == "NO"
    assert only_unfixed.recommendation == "None Provided"


def test_an_os_finding_uses_the_distribution_record_and_its_severity() -> None:
    events = (("introduced", "0"), ("fixed", "1:1.2.13.dfsg-1ubuntu4.1"))
    match = Match(
        ZLIB,
        "CVE-2023-45853",
        FixState.FIXED,
        ("1:1.2.13.dfsg-1ubuntu4.1",),
        (reason("UBUNTU-CVE-2023-45853", "Debian:12", events),),
    )
    record = RecordFacts(
        "UBUNTU-CVE-2023-45853",
        "UBUNTU_CVE",
        "https://ubuntu.com/security/CVE-2023-45853",
        os=True,
        entry_severity={0: ("low", Severity.LOW)},
    )
    facts = VulnerabilityFacts(
        "CVE-2023-45853",
        records=(record,),
        cvss=(score_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "NVD"),),
    )
    finding = build_package_finding(HOST, [match], facts, observed_at=NOW)
    # CVSS says CRITICAL; the vendor's own severity wins for an OS package.
    assert finding.severity is Severity.LOW
    assert finding.details.vendor_severity == "low"
    assert finding.details.source == "UBUNTU_CVE"
    (item,) = finding_document(finding)["packageVulnerabilityDetails"]["vulnerablePackages"]
    assert {k: v for k, v in item.items() if k != EXTENSION} == {
        "name": "zlib1g",
        "version": "1.2.13.dfsg",
        "epoch": 1,
        "release": "1",
        "arch": "amd64",
        "packageManager": "OS",
        "sourceLayerHash": LAYER,
        "fixedInVersion": "1:1.2.13.dfsg-1ubuntu4.1",
        "remediation": "apt-get update && apt-get upgrade",
    }


def test_without_any_score_the_finding_is_untriaged_and_has_no_inspector_score() -> None:
    facts = aiohttp_facts(cvss=(), epss=None, description=None)
    doc = finding_document(build_package_finding(HOST, [aiohttp_match()], facts, observed_at=NOW))
    assert doc["severity"] == "UNTRIAGED"
    assert "inspectorScore" not in doc
    assert "inspectorScoreDetails" not in doc
    assert "epss" not in doc
    assert doc["description"] == "CVE-2021-21330 affects aiohttp."


def test_text_members_stay_within_inspectors_limits() -> None:
    facts = aiohttp_facts(description="x" * 5000)
    finding = build_package_finding(HOST, [aiohttp_match()], facts, observed_at=NOW)
    assert len(finding.description) == 1024
    assert finding.description.endswith("...")


def test_a_layer_digest_that_is_not_a_sha256_is_left_out() -> None:
    odd = package(
        "PyPI", "aiohttp", "3.7.3", "pkg:pypi/aiohttp@3.7.3", "python-installed", "a", layer="x"
    )
    match = Match(odd, "CVE-2021-21330", FixState.FIXED, ("3.7.4",), aiohttp_match().reasons)
    finding = build_package_finding(HOST, [match], aiohttp_facts(), observed_at=NOW)
    assert finding.details.vulnerable_packages[0].source_layer_hash is None


def test_arns_come_from_the_injected_factory() -> None:
    finding = build_package_finding(
        HOST,
        [aiohttp_match()],
        aiohttp_facts(),
        observed_at=NOW,
        id_factory=lambda account, resource, vid: "0" * 32,
    )
    assert finding.finding_arn.endswith(":finding/" + "0" * 32)
    stable = stable_finding_id("123456789012", "i-1", "CVE-2021-21330")
    assert re.fullmatch(r"[0-9a-f]{32}", stable)
    assert stable == stable_finding_id("123456789012", "i-1", "CVE-2021-21330")
    assert stable != stable_finding_id("123456789012", "i-2", "CVE-2021-21330")
    with pytest.raises(ValueError, match="32 lower-case hex"):
        finding_arn("aws", "us-east-1", "123456789012", "XYZ")


def test_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="at least one match"):
        build_package_finding(HOST, [], aiohttp_facts(), observed_at=NOW)
    with pytest.raises(ValueError, match="timezone-aware"):
        build_package_finding(
            HOST, [aiohttp_match()], aiohttp_facts(), observed_at=datetime(2026, 1, 1)
        )
    with pytest.raises(ValueError, match="12 digits"):
        ResourceRef("AWS_EC2_INSTANCE", "i-1", "12345")
    with pytest.raises(ValueError, match="resource type"):
        ResourceRef("AWS_S3_BUCKET", "b")
    assert local_resource("oci:img", "image").resource_type == "AWS_ECR_CONTAINER_IMAGE"
    assert local_resource("zip:f.zip", "function").resource_type == "AWS_LAMBDA_FUNCTION"
    assert local_resource("dir:/", "host").account_id == "000000000000"


@pytest.mark.parametrize(
    ("ecosystem", "cataloger", "path", "expected"),
    [
        ("PyPI", "python-installed", "x/METADATA", "PYTHONPKG"),
        ("PyPI", "poetry-lock", "poetry.lock", "POETRY"),
        ("PyPI", "pipfile-lock", "Pipfile.lock", "PIPENV"),
        ("PyPI", "python-requirements", "requirements.txt", "PIP"),
        ("npm", "npm-installed", "node_modules/a/package.json", "NODEPKG"),
        ("npm", "yarn-lock", "yarn.lock", "YARN"),
        ("Go", "go-binary", "usr/bin/esbuild", "GOBINARY"),
        ("Go", "go-mod", "go.mod", "GOMOD"),
        ("Maven", "java-archive", "app.jar", "JAR"),
        ("RubyGems", "gemfile-lock", "Gemfile.lock", "BUNDLER"),
        ("NuGet", "dotnet-deps", "app.deps.json", "DOTNET_CORE"),
        # Read from an SBOM: the location's file name decides, then the ecosystem.
        ("PyPI", "cyclonedx-json", "app/poetry.lock", "POETRY"),
        ("Maven", "spdx-json", "lib/guava-31.1.jar", "JAR"),
        ("npm", "cyclonedx-json", "", "NPM"),
        ("Hex", "cyclonedx-json", "", None),
    ],
)
def test_package_manager_follows_the_evidence(
    ecosystem: str, cataloger: str, path: str, expected: str | None
) -> None:
    found = package(ecosystem, "a", "1.0.0", "pkg:generic/a@1.0.0", cataloger, path)
    assert package_manager(found) == expected


def test_os_versions_are_split_as_inspector_writes_them() -> None:
    rpm = package(
        "Rocky Linux:9", "openssl", "1:3.0.7-27.el9", "pkg:rpm/rocky/openssl@3.0.7-27.el9", "rpm"
    )
    apk = package("Alpine:v3.19", "musl", "1.2.4-r2", "pkg:apk/alpine/musl@1.2.4-r2", "apk")
    plain = package("Debian:12", "tzdata", "2025b-0+deb12u2", "pkg:deb/debian/tzdata", "dpkg")
    assert split_version(rpm) == SplitVersion("3.0.7", "27.el9", 1)
    assert (split_version(apk).version, split_version(apk).release) == ("1.2.4", "r2")
    assert split_version(apk).epoch is None
    assert (split_version(plain).version, split_version(plain).release) == ("2025b", "0+deb12u2")
    assert split_version(plain).epoch == 0
    assert split_version(AIOHTTP).version == "3.7.3"
    assert split_version(AIOHTTP).epoch is None
    assert fixed_in_version(rpm, "3.0.7-28.el9") == "0:3.0.7-28.el9"
    assert fixed_in_version(apk, "1.2.4-r3") == "1.2.4-r3"
    assert fixed_in_version(AIOHTTP, "3.7.4") == "3.7.4"
