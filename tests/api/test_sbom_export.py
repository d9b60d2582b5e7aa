"""SBOM exports through unmodified boto3: one CycloneDX 1.4 or SPDX 2.3 document per resource,
valid against the official schemas, written to moto's S3 server or a local bucket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.export_support import (
    ACCOUNT,
    IMAGE_HASH,
    KMS_KEY,
    ExportApi,
    destinations,
    export_api,
    moto_s3,
    s3_client,
    wait_for,
)
from tests.sbom.validators import cyclonedx_errors, spdx_errors
from tests.service.ingest_support import (
    AIOHTTP_OLD,
    APACHE_OLD,
    JINJA_OLD,
    OPENSSL_OLD,
    StepClock,
    build_store,
    host,
)
from vigil.service.sbom_export import file_name

BUCKET = "vigil-sboms"
LOCAL = "local-sboms"
WEB, API = host(1).resource_id, host(2).resource_id
IMAGE = f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/shop/frontend/{IMAGE_HASH}"


@pytest.fixture(scope="module")
def s3_url() -> Iterator[str]:
    with moto_s3() as url:
        s3_client(url).create_bucket(Bucket=BUCKET)
        yield url


@pytest.fixture(scope="module")
def local_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("local-bucket")


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, s3_url: str, local_dir: Path
) -> Iterator[ExportApi]:
    advisory_db = build_store(tmp_path_factory.mktemp("advisories"))
    where = destinations(s3_url, {LOCAL: local_dir})
    with export_api(tmp_path_factory.mktemp("api"), advisory_db, where, StepClock()) as api:
        yield api


@pytest.fixture(scope="module")
def inspector(served: ExportApi) -> Any:
    return served.live.client(served.live.create_key(ACCOUNT, "analyst"))


def finished(inspector: Any, report_id: str) -> dict[str, Any]:
    return wait_for(lambda: inspector.get_sbom_export(reportId=report_id))


def export(inspector: Any, report_format: str, bucket: str, **extra: Any) -> dict[str, Any]:
    target = {"bucketName": bucket, "keyPrefix": "sbom", "kmsKeyArn": KMS_KEY}
    made = inspector.create_sbom_export(reportFormat=report_format, s3Destination=target, **extra)
    status = finished(inspector, made["reportId"])
    assert status["status"] == "SUCCEEDED", status
    assert status["format"] == report_format
    assert status["s3Destination"] == target
    return status


def purls_of(document: dict[str, Any]) -> set[str]:
    components = document.get("components") or document.get("packages") or []
    found = {c["purl"] for c in components if "purl" in c}
    for package in document.get("packages", []):
        for ref in package.get("externalRefs", []):
            if ref.get("referenceType") == "purl":
                found.add(ref["referenceLocator"])
    return found


def test_cyclonedx_1_4_per_resource_in_s3(inspector: Any, s3_url: str) -> None:
    status = export(inspector, "CYCLONEDX_1_4", BUCKET)
    s3 = s3_client(s3_url)
    prefix = f"sbom/{status['reportId']}/{ACCOUNT}/"
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)["Contents"]
    keys = sorted(item["Key"] for item in listed)
    assert keys == sorted(prefix + file_name(r) + ".cdx.json" for r in (WEB, API, IMAGE))
    held = {
        WEB: {APACHE_OLD.purl, OPENSSL_OLD.purl},
        API: {AIOHTTP_OLD.purl},
        IMAGE: {JINJA_OLD.purl, OPENSSL_OLD.purl},
    }
    types = {WEB: "AWS_EC2_INSTANCE", API: "AWS_EC2_INSTANCE", IMAGE: "AWS_ECR_CONTAINER_IMAGE"}
    for resource, purls in held.items():
        body = s3.get_object(Bucket=BUCKET, Key=prefix + file_name(resource) + ".cdx.json")
        data = body["Body"].read()
        assert cyclonedx_errors(data, "1.4") == []
        document = json.loads(data)
        assert document["specVersion"] == "1.4"
        assert purls_of(document) == purls
        properties = {p["name"]: p["value"] for p in document["metadata"]["properties"]}
        assert properties["accountId"] == ACCOUNT
        assert properties["resourceType"] == types[resource]
        assert ("imageId" in properties) == (resource == IMAGE)


def test_spdx_2_3_to_a_local_bucket_with_a_resource_filter(inspector: Any, local_dir: Path) -> None:
    criteria = {"ec2InstanceTags": [{"comparison": "EQUALS", "key": "Team", "value": "web"}]}
    status = export(inspector, "SPDX_2_3", LOCAL, resourceFilterCriteria=criteria)
    assert status["filterCriteria"] == criteria
    folder = local_dir / "sbom" / status["reportId"] / ACCOUNT
    (written,) = folder.iterdir()
    assert written.name == file_name(WEB) + ".spdx.json"
    data = written.read_bytes()
    assert spdx_errors(data) == []
    document = json.loads(data)
    assert document["spdxVersion"] == "SPDX-2.3"
    assert purls_of(document) == {APACHE_OLD.purl, OPENSSL_OLD.purl}


def eq(*values: str) -> list[dict[str, str]]:
    return [{"comparison": "EQUALS", "value": v} for v in values]


IMAGE_TYPE = "AWS_ECR_CONTAINER_IMAGE"


@pytest.mark.parametrize(
    ("criteria", "expected"),
    [
        ({"resourceType": eq(IMAGE_TYPE)}, {IMAGE}),
        ({"resourceType": [{"comparison": "NOT_EQUALS", "value": IMAGE_TYPE}]}, {WEB, API}),
        ({"ecrImageTags": eq("latest")}, {IMAGE}),
        ({"resourceId": eq(WEB, API)}, {WEB, API}),
        ({"ecrRepositoryName": eq("shop/frontend"), "accountId": eq(ACCOUNT)}, {IMAGE}),
        ({"ecrRepositoryName": eq("shop/frontend"), "resourceId": eq(WEB)}, set()),
    ],
)
def test_resource_filters_choose_the_documents(
    inspector: Any, local_dir: Path, criteria: dict[str, Any], expected: set[str]
) -> None:
    if not expected:
        made = inspector.create_sbom_export(
            reportFormat="CYCLONEDX_1_4",
            s3Destination={"bucketName": LOCAL, "kmsKeyArn": KMS_KEY},
            resourceFilterCriteria=criteria,
        )
        assert finished(inspector, made["reportId"])["errorCode"] == "NO_FINDINGS_FOUND"
        return
    status = export(inspector, "CYCLONEDX_1_4", LOCAL, resourceFilterCriteria=criteria)
    written = {p.name for p in (local_dir / "sbom" / status["reportId"] / ACCOUNT).iterdir()}
    assert written == {file_name(r) + ".cdx.json" for r in expected}


def test_no_matching_resource_fails_with_no_findings_found(inspector: Any) -> None:
    criteria = {"lambdaFunctionName": [{"comparison": "EQUALS", "value": "absent"}]}
    made = inspector.create_sbom_export(
        reportFormat="SPDX_2_3",
        s3Destination={"bucketName": LOCAL, "kmsKeyArn": KMS_KEY},
        resourceFilterCriteria=criteria,
    )
    status = finished(inspector, made["reportId"])
    assert (status["status"], status["errorCode"]) == ("FAILED", "NO_FINDINGS_FOUND")


def test_other_clouds_are_refused_and_exports_are_private(
    served: ExportApi, inspector: Any
) -> None:
    with pytest.raises(inspector.exceptions.ValidationException) as refused:
        inspector.create_sbom_export(
            reportFormat="SPDX_2_3",
            s3Destination={"bucketName": LOCAL, "kmsKeyArn": KMS_KEY},
            resourceFilterCriteria={"cloudProvider": [{"comparison": "EQUALS", "value": "AZURE"}]},
        )
    assert refused.value.response["fields"][0]["name"] == "resourceFilterCriteria.cloudProvider"
    made = inspector.create_sbom_export(
        reportFormat="SPDX_2_3", s3Destination={"bucketName": LOCAL, "kmsKeyArn": KMS_KEY}
    )
    stranger = served.live.client(served.live.create_key("444455556666", "admin"))
    with pytest.raises(stranger.exceptions.ResourceNotFoundException):
        stranger.get_sbom_export(reportId=made["reportId"])
    with pytest.raises(stranger.exceptions.ResourceNotFoundException):
        stranger.cancel_sbom_export(reportId=made["reportId"])
    assert finished(inspector, made["reportId"])["status"] == "SUCCEEDED"
