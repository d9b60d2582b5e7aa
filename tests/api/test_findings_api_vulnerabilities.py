"""SearchVulnerabilities and BatchGetFindingDetails with a real advisory store: the OSV fixtures
with NVD, CISA KEV and FIRST EPSS synced from their real files, and findings that a real scan of
a Debian 11 root file system produced, stored for an account through the real stores."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.advisories.enriched import build_enriched_store
from tests.advisories.test_enrichment import FIXTURES, KEV
from tests.api.findings_support import T0, FleetWriter, resource_document, serve
from tests.apiserver import LiveApi
from tests.service.test_scan import write_host
from vigil.domain import Resource, ResourceType
from vigil.findings import epoch_time, finding_document
from vigil.service.finding_details import batch_get_finding_details
from vigil.service.scan import ScanRequest, run_scan

ACCOUNT = "210987654321"
HOST = Resource(
    account_id=ACCOUNT,
    resource_id="i-0a1b2c3d4e5f60789",
    resource_type=ResourceType.AWS_EC2_INSTANCE,
    region="us-east-1",
    details={"awsEc2Instance": {"platform": "DEBIAN_11"}},
)


@pytest.fixture(scope="module")
def advisories(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("advisories")
    return build_enriched_store(directory, T0)


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_host(tmp_path_factory.mktemp("host"))


@pytest.fixture(scope="module")
def api(
    tmp_path_factory: pytest.TempPathFactory, advisories: Path, host: Path
) -> Iterator[LiveApi]:
    scanned = run_scan(ScanRequest(f"dir:{host}", None, advisories, None), clock=lambda: T0)
    documents = []
    for finding in scanned.findings:
        document = finding_document(finding, epoch_time)
        document.update(awsAccountId=ACCOUNT, resources=[resource_document(HOST)])
        documents.append(document)
    with serve(tmp_path_factory.mktemp("api"), advisories=advisories) as live:
        FleetWriter(live.services.engine).observe([(HOST, documents)], T0)
        yield live


@pytest.fixture(scope="module")
def client(api: LiveApi) -> Any:
    return api.client(api.create_key(ACCOUNT, "read-only"))


def search(client: Any, cve: str) -> list[dict[str, Any]]:
    answer = client.search_vulnerabilities(filterCriteria={"vulnerabilityIds": [cve]})
    assert "nextToken" not in answer
    found: list[dict[str, Any]] = answer["vulnerabilities"]
    return found


def arn_of(client: Any, cve: str) -> str:
    criteria = {"vulnerabilityId": [{"comparison": "EQUALS", "value": cve}]}
    (finding,) = client.list_findings(filterCriteria=criteria)["findings"]
    arn: str = finding["findingArn"]
    return arn


def test_a_cve_that_nvd_describes(client: Any) -> None:
    (found,) = search(client, "CVE-2021-21330")
    nvd = json.loads((FIXTURES / "nvd" / "CVE-2021-21330.json").read_text())
    assert found["id"] == "CVE-2021-21330"
    assert found["source"] == "NVD"
    assert found["sourceUrl"] == "https://nvd.nist.gov/vuln/detail/CVE-2021-21330"
    assert found["description"] == nvd["descriptions"][0]["value"]
    assert found["cvss3"] == {
        "baseScore": 6.1,
        "scoringVector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
    }
    assert found["cwes"] == ["CWE-601"]
    assert found["vendorSeverity"] == "MEDIUM"
    assert found["vendorCreatedAt"] == datetime(2021, 2, 26, 3, 15, 12, 840000, tzinfo=UTC)
    assert "PYSEC-2021-76" in found["relatedVulnerabilities"]
    assert "PyPI" in found["detectionPlatforms"]
    assert set(found["referenceUrls"]) >= {r["url"] for r in nvd["references"]}
    assert "cisaData" not in found


def test_a_cve_that_cisa_lists_as_exploited(client: Any) -> None:
    (found,) = search(client, "CVE-2020-11651")
    kev = {v["cveID"]: v for v in json.loads(KEV.read_text())["vulnerabilities"]}
    listed = kev["CVE-2020-11651"]
    assert found["cisaData"] == {
        "dateAdded": datetime(2021, 11, 3, tzinfo=UTC),
        "dateDue": datetime(2022, 5, 3, tzinfo=UTC),
        "action": listed["requiredAction"],
    }
    assert found["exploitObserved"] == {"firstSeen": datetime(2021, 11, 3, tzinfo=UTC)}
    assert "source" not in found  # no NVD record of it in this store


def test_epss_and_unknown_ids(client: Any) -> None:
    (openssl,) = search(client, "CVE-2022-0778")
    assert openssl["epss"] == {"score": 0.73188}
    assert search(client, "CVE-2099-0001") == []


def test_search_refuses_what_the_model_forbids(client: Any) -> None:
    with pytest.raises(client.exceptions.ValidationException):
        client.search_vulnerabilities(filterCriteria={"vulnerabilityIds": ["GHSA-q3qx-c6g2-7pw2"]})
    with pytest.raises(client.exceptions.ValidationException):
        client.search_vulnerabilities(
            filterCriteria={"vulnerabilityIds": ["CVE-2021-21330", "CVE-2022-0778"]}
        )
    with pytest.raises(client.exceptions.ValidationException) as token:
        client.search_vulnerabilities(
            filterCriteria={"vulnerabilityIds": ["CVE-2021-21330"]}, nextToken="more"
        )
    assert token.value.response["fields"][0]["name"] == "nextToken"


def test_finding_details_join_kev_epss_and_nvd(client: Any) -> None:
    salt, aiohttp, openssl = (
        arn_of(client, cve) for cve in ("CVE-2020-11651", "CVE-2021-21330", "CVE-2022-0778")
    )
    answer = client.batch_get_finding_details(findingArns=[salt, aiohttp, openssl])
    assert answer["errors"] == []
    details = {d["findingArn"]: d for d in answer["findingDetails"]}
    assert details[salt]["cisaData"]["dateDue"] == datetime(2022, 5, 3, tzinfo=UTC)
    assert details[salt]["cisaData"]["action"]
    assert details[salt]["exploitObserved"]["firstSeen"] == datetime(2021, 11, 3, tzinfo=UTC)
    assert details[aiohttp]["cwes"] == ["CWE-601"]
    assert (
        "https://github.com/aio-libs/aiohttp/security/advisories/GHSA-v6wp-4m6f-gcjg"
        in (details[aiohttp]["referenceUrls"])
    )
    assert details[openssl]["epssScore"] == 0.73188
    assert {d["tools"] == [] and d["ttps"] == [] for d in details.values()} == {True}


def test_without_an_advisory_store_details_come_from_the_finding(api: LiveApi, client: Any) -> None:
    salt = arn_of(client, "CVE-2020-11651")
    answer = batch_get_finding_details(api.services.engine, {ACCOUNT}, [salt], None)
    (detail,) = answer["findingDetails"]
    assert detail["cisaData"] == {"dateAdded": datetime(2021, 11, 3, tzinfo=UTC)}
    assert detail["exploitObserved"] == {"firstSeen": datetime(2021, 11, 3, tzinfo=UTC)}
    assert answer["errors"] == []
