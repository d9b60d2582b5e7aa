"""Report destinations: configuration from the environment, key prefixes that could climb out of
a bucket, a symlink planted in a local bucket, and the job kinds the service registers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from vigil.service import reports, sbom_export
from vigil.service.job_handlers import ServiceJobs
from vigil.service.report_destinations import (
    DestinationError,
    InvalidKeyPrefix,
    LocalWriter,
    ReportDestinations,
    S3Writer,
    object_key,
    parse_local_buckets,
)

KMS = "arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"


def test_configuration_from_the_environment(tmp_path: Path) -> None:
    chosen = ReportDestinations.from_environment(
        {
            "VIGIL_LOCAL_BUCKETS": f"reports={tmp_path}, archive = {tmp_path / 'a'}",
            "VIGIL_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
            "VIGIL_S3_REGION": "eu-west-1",
            "VIGIL_S3_SSE": "none",
        }
    )
    assert chosen.local_buckets == {"reports": tmp_path, "archive": tmp_path / "a"}
    assert (chosen.s3.endpoint_url, chosen.s3.region, chosen.s3.sse) == (
        "http://127.0.0.1:9000",
        "eu-west-1",
        "none",
    )
    assert isinstance(chosen.writer({"bucketName": "reports", "kmsKeyArn": KMS}), LocalWriter)
    assert isinstance(chosen.writer({"bucketName": "elsewhere", "kmsKeyArn": KMS}), S3Writer)
    with pytest.raises(ValueError, match="VIGIL_S3_SSE"):
        ReportDestinations.from_environment({"VIGIL_S3_SSE": "AES256"})
    with pytest.raises(ValueError, match="absolute"):
        parse_local_buckets("reports=relative/dir")


@pytest.mark.parametrize("kms", ["", "key/123", "arn:aws:s3:::bucket", f"{KMS} trailing"])
def test_a_malformed_kms_key_is_inspectors_malformed_kms_key(kms: str) -> None:
    with pytest.raises(DestinationError) as refused:
        ReportDestinations().writer({"bucketName": "b", "kmsKeyArn": kms})
    assert refused.value.code == "MALFORMED_KMS_KEY"


@pytest.mark.parametrize("prefix", ["..", "a/../..", "a/./b", "a//b", "a\\..\\b", "a/\x00b"])
def test_prefixes_that_could_climb_out_are_refused(prefix: str) -> None:
    with pytest.raises(InvalidKeyPrefix):
        object_key(prefix, "report.csv")


def test_keys_under_a_prefix() -> None:
    assert object_key(None, "r.csv") == "r.csv"
    assert object_key("/a/b/", "r.csv") == "a/b/r.csv"


def test_a_local_write_is_whole_and_stays_in_its_directory(tmp_path: Path) -> None:
    root = tmp_path / "bucket"
    root.mkdir()
    writer = LocalWriter(root)
    where = writer.put("x/y/r.json", io.BytesIO(b'{"findings":[]}'), "application/json")
    assert Path(where).read_bytes() == b'{"findings":[]}'
    assert sorted(p.name for p in (root / "x" / "y").iterdir()) == ["r.json"]
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "escape").symlink_to(outside)
    with pytest.raises(DestinationError) as refused:
        writer.put("escape/r.json", io.BytesIO(b"secret"), "application/json")
    assert refused.value.code == "INVALID_PERMISSIONS"
    assert list(outside.iterdir()) == []
    with pytest.raises(InvalidKeyPrefix):
        writer.put("../r.json", io.BytesIO(b""), "application/json")


def test_a_missing_local_directory_is_bucket_not_found(tmp_path: Path) -> None:
    with pytest.raises(DestinationError) as refused:
        LocalWriter(tmp_path / "gone").put("r.csv", io.BytesIO(b""), "text/csv")
    assert refused.value.code == "BUCKET_NOT_FOUND"


def test_the_service_registers_both_export_kinds(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    jobs = ServiceJobs(create_engine("sqlite://"), tmp_path / "advisories.db")
    try:
        assert {reports.KIND, sbom_export.KIND} <= jobs.registry().kinds()
    finally:
        jobs.close()
