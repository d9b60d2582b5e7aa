"""Findings reports through unmodified boto3: CSV to moto's S3 server, JSON to a local bucket,
filters, Inspector's error codes, cancellation and account isolation.

The findings are made by the real matcher from real package versions (tests/service), so each
report row is checked against what ListFindings answers for the same finding.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.export_support import (
    ACCOUNT,
    KMS_KEY,
    ExportApi,
    destinations,
    export_api,
    moto_s3,
    s3_client,
    wait_for,
    when,
)
from tests.apiserver import Key
from tests.service.ingest_support import StepClock, build_store
from vigil.jobs import JobInfo

BUCKET = "vigil-reports"
LOCAL = "local-reports"
# Inspector's CSV export columns, in order.
INSPECTOR_COLUMNS = [
    "AWS Account Id", "Severity", "Fix Available", "Finding Type", "Title", "Description",
    "Finding ARN", "First Seen", "Last Seen", "Last Updated", "Resource ID",
    "Container Image Tags", "Region", "Platform", "Resource Tags", "Affected Packages",
    "Package Installed Version", "Fixed in Version", "Package Remediation", "File Path",
    "Network Paths", "Age (Days)", "Remediation", "Inspector Score", "Inspector Score Vector",
    "Status", "Vulnerability Id", "Vendor", "Vendor Severity", "Vendor Advisory",
    "Vendor Advisory Published", "NVD CVSS3 Score", "NVD CVSS3 Vector", "NVD CVSS2 Score",
    "NVD CVSS2 Vector", "Vendor CVSS3 Score", "Vendor CVSS3 Vector", "Vendor CVSS2 Score",
    "Vendor CVSS2 Vector", "Resource Type", "Ami", "Resource Public Ipv4",
    "Resource Private Ipv4", "Resource Ipv6", "Resource Vpc", "Port Range", "Epss Score",
    "Exploit Available", "Last Exploited At", "Lambda Layers", "Lambda Package Type",
    "Lambda Last Updated At", "Reference Urls", "Detector Name", "Package Manager",
]  # fmt: skip


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    with moto_s3() as url:
        s3_client(url).create_bucket(Bucket=BUCKET)
        yield url


@pytest.fixture(scope="module")
def local_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("local-bucket")


@pytest.fixture(scope="module")
def advisory_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("advisories"))


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, advisory_db: Path, s3_url: str, local_dir: Path
) -> Iterator[ExportApi]:
    where = destinations(s3_url, {LOCAL: local_dir})
    with export_api(tmp_path_factory.mktemp("api"), advisory_db, where, StepClock()) as api:
        yield api


@pytest.fixture(scope="module")
def analyst(served: ExportApi) -> Key:
    return served.live.create_key(ACCOUNT, "analyst")


@pytest.fixture(scope="module")
def inspector(served: ExportApi, analyst: Key) -> Any:
    return served.live.client(analyst)


@pytest.fixture(scope="module")
def listed(inspector: Any) -> dict[str, dict[str, Any]]:
    """ListFindings' ACTIVE findings by ARN: what every report row is checked against."""
    pages = inspector.get_paginator("list_findings").paginate(
        filterCriteria={"findingStatus": [{"comparison": "EQUALS", "value": "ACTIVE"}]}
    )
    found = {f["findingArn"]: f for page in pages for f in page["findings"]}
    assert len(found) >= 6
    return found


def finished(inspector: Any, report_id: str) -> dict[str, Any]:
    return wait_for(lambda: inspector.get_findings_report_status(reportId=report_id))


def destination(bucket: str, prefix: str | None = None, kms: str = KMS_KEY) -> dict[str, str]:
    chosen = {"bucketName": bucket, "kmsKeyArn": kms}
    if prefix is not None:
        chosen["keyPrefix"] = prefix
    return chosen


def test_a_csv_report_lands_in_s3_row_for_row(
    inspector: Any, s3_url: str, listed: dict[str, dict[str, Any]]
) -> None:
    made = inspector.create_findings_report(
        reportFormat="CSV", s3Destination=destination(BUCKET, "inspector/csv")
    )
    report_id = made["reportId"]
    status = finished(inspector, report_id)
    assert status["status"] == "SUCCEEDED", status
    assert status["destination"] == destination(BUCKET, "inspector/csv")
    assert status["filterCriteria"] == {}

    s3 = s3_client(s3_url)
    stored = s3.get_object(Bucket=BUCKET, Key=f"inspector/csv/{report_id}.csv")
    assert stored["ContentType"] == "text/csv"
    assert stored["ServerSideEncryption"] == "aws:kms"
    assert stored["SSEKMSKeyId"] == KMS_KEY
    rows = list(csv.reader(io.StringIO(stored["Body"].read().decode("utf-8"))))
    assert rows[0] == INSPECTOR_COLUMNS
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert sorted(r["Finding ARN"] for r in records) == sorted(listed)
    for record in records:
        finding = listed[record["Finding ARN"]]
        details = finding["packageVulnerabilityDetails"]
        resource = finding["resources"][0]
        assert record["AWS Account Id"] == ACCOUNT
        assert record["Severity"] == finding["severity"]
        assert record["Status"] == "ACTIVE"
        assert record["Finding Type"] == "PACKAGE_VULNERABILITY"
        assert record["Title"] == finding["title"]
        assert record["Vulnerability Id"] == details["vulnerabilityId"]
        assert record["Resource ID"] == resource["id"]
        assert record["Resource Type"] == resource["type"]
        assert record["Region"] == resource["region"]
        assert record["First Seen"] == when(finding["firstObservedAt"])
        assert record["Last Seen"] == when(finding["lastObservedAt"])
        assert record["Fix Available"] == finding["fixAvailable"]
        assert record["Exploit Available"] == finding["exploitAvailable"]
        names = ", ".join(p["name"] for p in details["vulnerablePackages"])
        assert record["Affected Packages"] == names
        assert record["Vendor"] == details["source"]
        assert record["Network Paths"] == record["Port Range"] == record["Detector Name"] == ""

    aiohttp = next(r for r in records if r["Vulnerability Id"] == "CVE-2021-21330")
    assert aiohttp["Severity"] == "MEDIUM"
    assert aiohttp["Affected Packages"] == "aiohttp"
    assert aiohttp["Package Installed Version"] == "3.7.3"
    assert aiohttp["Fixed in Version"] == "3.7.4"
    assert aiohttp["Package Manager"] == "PYTHONPKG"
    assert (aiohttp["NVD CVSS3 Score"], aiohttp["NVD CVSS2 Score"]) == ("6.1", "5.8")
    assert aiohttp["NVD CVSS3 Vector"].startswith("CVSS:3.1/AV:N/")
    assert aiohttp["Vendor Advisory"] == "https://nvd.nist.gov/vuln/detail/CVE-2021-21330"
    assert aiohttp["Resource Tags"] == "Team=api"
    assert aiohttp["Inspector Score"] == "6.1"
    apache = next(r for r in records if r["Vulnerability Id"] == "CVE-2021-40438")
    assert apache["Package Installed Version"] == "2.4.48-3.1"
    assert apache["Fixed in Version"] == "0:2.4.51-1~deb11u1"
    assert apache["Exploit Available"] == "YES"
    assert apache["Last Exploited At"] == "2021-12-01T00:00:00.000Z"
    image_rows = [r for r in records if r["Resource Type"] == "AWS_ECR_CONTAINER_IMAGE"]
    assert image_rows
    assert {r["Container Image Tags"] for r in image_rows} == {"v1, latest"}


def test_a_json_report_lands_in_a_local_bucket(
    inspector: Any, local_dir: Path, listed: dict[str, dict[str, Any]]
) -> None:
    made = inspector.create_findings_report(
        reportFormat="JSON", s3Destination=destination(LOCAL, "nightly/json/")
    )
    status = finished(inspector, made["reportId"])
    assert status["status"] == "SUCCEEDED", status
    written = local_dir / "nightly" / "json" / f"{made['reportId']}.json"
    document = json.loads(written.read_text())
    assert list(document) == ["findings"]
    assert sorted(f["findingArn"] for f in document["findings"]) == sorted(listed)
    assert "vigil" not in written.read_text()
    assert not [p for p in written.parent.iterdir() if p.name.startswith(".incoming-")]
    for finding in document["findings"]:
        expected = listed[finding["findingArn"]]
        for moment in ("firstObservedAt", "lastObservedAt", "updatedAt"):
            assert finding[moment] == when(expected[moment])
        assert (
            finding["packageVulnerabilityDetails"]["vulnerabilityId"]
            == (expected["packageVulnerabilityDetails"]["vulnerabilityId"])
        )
        assert finding["resources"][0]["id"] == expected["resources"][0]["id"]
        assert (finding["severity"], finding["status"]) == (expected["severity"], "ACTIVE")


def test_filter_criteria_choose_the_rows(
    inspector: Any, s3_url: str, listed: dict[str, dict[str, Any]]
) -> None:
    criteria = {
        "resourceType": [{"comparison": "EQUALS", "value": "AWS_EC2_INSTANCE"}],
        "vulnerablePackages": [{"name": {"comparison": "EQUALS", "value": "aiohttp"}}],
    }
    made = inspector.create_findings_report(
        reportFormat="CSV", s3Destination=destination(BUCKET), filterCriteria=criteria
    )
    status = finished(inspector, made["reportId"])
    assert status["status"] == "SUCCEEDED", status
    assert status["filterCriteria"] == criteria
    body = s3_client(s3_url).get_object(Bucket=BUCKET, Key=f"{made['reportId']}.csv")["Body"]
    rows = list(csv.DictReader(io.StringIO(body.read().decode())))
    expected = {
        arn
        for arn, f in listed.items()
        if any(
            p["name"] == "aiohttp" for p in f["packageVulnerabilityDetails"]["vulnerablePackages"]
        )
    }
    assert expected
    assert {r["Finding ARN"] for r in rows} == expected


@pytest.mark.parametrize(
    ("chosen", "criteria", "code"),
    [
        (destination("no-such-bucket"), {}, "BUCKET_NOT_FOUND"),
        (destination(BUCKET, kms="alias-without-arn"), {}, "MALFORMED_KMS_KEY"),
        (
            destination(BUCKET),
            {"vulnerabilityId": [{"comparison": "EQUALS", "value": "CVE-1999-0001"}]},
            "NO_FINDINGS_FOUND",
        ),
    ],
)
def test_failures_carry_inspectors_error_codes(
    inspector: Any, chosen: dict[str, str], criteria: dict[str, Any], code: str
) -> None:
    made = inspector.create_findings_report(
        reportFormat="JSON", s3Destination=chosen, filterCriteria=criteria
    )
    status = finished(inspector, made["reportId"])
    assert (status["status"], status["errorCode"]) == ("FAILED", code)
    assert status["errorMessage"]


def test_a_key_prefix_cannot_climb_out_of_its_bucket(inspector: Any) -> None:
    with pytest.raises(inspector.exceptions.ValidationException) as refused:
        inspector.create_findings_report(
            reportFormat="CSV", s3Destination=destination(LOCAL, "reports/../../etc")
        )
    assert refused.value.response["fields"][0]["name"] == "s3Destination.keyPrefix"


def test_reports_of_another_account_do_not_exist(served: ExportApi, inspector: Any) -> None:
    made = inspector.create_findings_report(
        reportFormat="CSV", s3Destination=destination(BUCKET, "private")
    )
    stranger = served.live.client(served.live.create_key("444455556666", "admin"))
    with pytest.raises(stranger.exceptions.ResourceNotFoundException):
        stranger.get_findings_report_status(reportId=made["reportId"])
    with pytest.raises(stranger.exceptions.ResourceNotFoundException):
        stranger.cancel_findings_report(reportId=made["reportId"])
    assert finished(inspector, made["reportId"])["status"] == "SUCCEEDED"


def test_cancelling_a_finished_report_is_refused(inspector: Any) -> None:
    # Every create in this module differs from the others: an identical request signed in the
    # same second would be refused as a replay.
    made = inspector.create_findings_report(
        reportFormat="CSV", s3Destination=destination(BUCKET, "finished")
    )
    assert finished(inspector, made["reportId"])["status"] == "SUCCEEDED"
    with pytest.raises(inspector.exceptions.ValidationException):
        inspector.cancel_findings_report(reportId=made["reportId"])


def job_done(api: ExportApi, job_id: str, timeout: float = 30) -> JobInfo:
    deadline = time.monotonic() + timeout
    while not (info := api.backend.get(job_id)).status.finished:
        assert time.monotonic() < deadline, info
        time.sleep(0.05)
    return info


def test_a_cancelled_report_is_never_written(
    tmp_path: Path, advisory_db: Path, s3_url: str
) -> None:
    """Jobs wait until the backend starts, so the report is IN_PROGRESS when cancelled."""
    local = tmp_path / "bucket"
    local.mkdir()
    where = destinations(s3_url, {LOCAL: local})
    with export_api(tmp_path / "api", advisory_db, where, StepClock(), start=False) as api:
        client = api.live.client(api.live.create_key(ACCOUNT, "analyst"))
        made = client.create_findings_report(
            reportFormat="CSV", s3Destination=destination(LOCAL, "cancelled")
        )
        report_id = made["reportId"]
        assert client.get_findings_report_status(reportId=report_id)["status"] == "IN_PROGRESS"
        assert client.cancel_findings_report(reportId=report_id)["reportId"] == report_id
        # Cancelling again is harmless (a second later: an identical signature is a replay).
        time.sleep(1.1)
        assert client.cancel_findings_report(reportId=report_id)["reportId"] == report_id
        api.backend.start()
        (job,) = api.backend.list(kind="findings-report")
        assert job.payload == {"reportId": report_id}
        assert job_done(api, job.id).result == {"skipped": "CANCELLED"}
        status = client.get_findings_report_status(reportId=report_id)
        assert status["status"] == "CANCELLED"
        assert "errorCode" not in status
    assert list(local.rglob("*")) == []
