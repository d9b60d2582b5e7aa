"""The main job end to end: ``vigil server`` as a real process, a key from ``vigil keys create
--json``, ``vigil resources scan`` of a real Debian 11 root file system, and the findings read
back with unmodified boto3 and the AWS CLI. What the server finds is checked against what
``vigil scan`` finds locally in the same target with the same advisory store."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from sqlalchemy import update

from tests.cli.scan_support import ALPINE_SBOM, VULNERABLE, ids, scan, store
from tests.cli.server_support import (
    AWS,
    REGION,
    Key,
    ServerProcess,
    clean_env,
    run,
    signed,
    start_server,
    wait_for_job,
)
from vigil.db.engine import open_engine
from vigil.db.migrate import head
from vigil.db.tables import accounts

__all__ = ["store"]  # the session fixture, imported for pytest

ACCOUNT = "111122223333"
IMAGE_HASH = "sha256:" + "ab" * 32
KMS_KEY = "arn:aws:kms:us-east-1:111122223333:key/0b6a2a40-5a3c-4d8e-9c0f-1a2b3c4d5e6f"


def local_ids(store: Path, *args: str) -> set[str]:
    """Vulnerability ids ``vigil scan ARGS`` reports for the same store, in this process."""
    done = scan(*args, "--db", str(store), "--format", "json")
    assert done.exit_code == 0, done.stderr
    return set(ids(json.loads(done.stdout)))


def finding_ids(findings: list[dict[str, Any]]) -> set[str]:
    return {f["packageVulnerabilityDetails"]["vulnerabilityId"] for f in findings}


def all_findings(client: Any, **criteria: Any) -> list[dict[str, Any]]:
    pages = client.get_paginator("list_findings").paginate(filterCriteria=criteria)
    return [finding for page in pages for finding in page["findings"]]


def eq(value: str) -> list[dict[str, str]]:
    return [{"comparison": "EQUALS", "value": value}]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, store: Path) -> Iterator[ServerProcess]:
    base = tmp_path_factory.mktemp("server")
    (base / "reports").mkdir()
    server = start_server(
        base / "data",
        base / "home",
        "--advisory-db",
        str(store),
        env={"VIGIL_LOCAL_BUCKETS": f"reports={base / 'reports'}"},
    )
    yield server
    server.kill()


@pytest.fixture(scope="module")
def admin(live: ServerProcess) -> Key:
    return live.create_key(ACCOUNT, "admin")


@pytest.fixture(scope="module")
def scanned(live: ServerProcess, admin: Key) -> dict[str, Any]:
    done = live.vigil(
        "resources", "scan", f"dir:{VULNERABLE}", "--account", ACCOUNT, "--tag", "env=ci",
        "--resource-id", "i-0123456789abcdef0", "--endpoint-url", live.url, "--wait", "--json",
        key=admin,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    job: dict[str, Any] = json.loads(done.stdout)
    return job


def test_the_first_start_migrates_makes_an_admin_key_and_says_how_to_use_it(
    live: ServerProcess,
) -> None:
    banner = "\n".join(live.banner)
    assert f"schema migrated from empty to {head()}" in banner
    assert f"aws inspector2 list-findings --endpoint-url {live.url} --region us-east-1" in banner
    assert f'boto3.client("inspector2", endpoint_url="{live.url}"' in banner
    exports = dict(
        line.strip().removeprefix("export ").split("=", 1)
        for line in live.banner
        if line.strip().startswith("export AWS_")
    )
    printed = Key(exports["AWS_ACCESS_KEY_ID"], exports["AWS_SECRET_ACCESS_KEY"])
    permissions = live.client(printed).list_account_permissions()["permissions"]
    assert {"service": "EC2", "operation": "ENABLE_SCANNING"} in permissions


def test_resources_scan_waits_for_its_ingest_job(scanned: dict[str, Any], store: Path) -> None:
    assert scanned["status"] == "SUCCEEDED"
    assert scanned["accountId"] == ACCOUNT
    assert scanned["resourceId"] == "i-0123456789abcdef0"
    expected = local_ids(store, f"dir:{VULNERABLE}")
    assert scanned["result"]["findings"] == len(expected) == 13
    assert scanned["result"]["created"] == 13


def test_boto3_lists_the_findings_the_local_scan_finds(
    live: ServerProcess, admin: Key, scanned: dict[str, Any], store: Path
) -> None:
    found = all_findings(live.client(admin), resourceId=eq("i-0123456789abcdef0"))
    assert finding_ids(found) == local_ids(store, f"dir:{VULNERABLE}")
    resource = found[0]["resources"][0]
    assert resource["type"] == "AWS_EC2_INSTANCE"
    assert resource["tags"] == {"env": "ci"}
    assert {f["status"] for f in found} == {"ACTIVE"}
    assert {f["awsAccountId"] for f in found} == {ACCOUNT}


def test_the_aws_cli_prints_the_findings(
    live: ServerProcess, admin: Key, scanned: dict[str, Any], store: Path
) -> None:
    done = run(
        AWS, "inspector2", "list-findings", "--endpoint-url", live.url, "--region", REGION,
        "--output", "json", env=clean_env(live.home, admin.env()),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)["findings"]
    ec2 = [f for f in printed if f["resources"][0]["id"] == "i-0123456789abcdef0"]
    assert finding_ids(ec2) == local_ids(store, f"dir:{VULNERABLE}")


def test_resources_list_shows_the_scanned_resource(
    live: ServerProcess, admin: Key, scanned: dict[str, Any]
) -> None:
    done = live.vigil("resources", "list", "--endpoint-url", live.url, "--json", key=admin)
    assert done.returncode == 0, done.stderr
    listed = {r["resourceId"]: r for r in json.loads(done.stdout)}
    host = listed["i-0123456789abcdef0"]
    assert host["packageCount"] == 3  # libssl1.1, openssl, requests
    assert host["scanStatus"] == {"statusCode": "ACTIVE", "reason": "SUCCESSFUL"}
    assert host["tags"] == {"env": "ci"}
    table = live.vigil("resources", "list", "--endpoint-url", live.url, key=admin)
    rows = [line.split() for line in table.stdout.splitlines()]
    assert rows[0] == ["ACCOUNT", "TYPE", "STATUS", "PACKAGES", "LAST", "SCANNED", "RESOURCE"]
    row = next(r for r in rows if r[-1] == "i-0123456789abcdef0")
    assert row[:5] == [ACCOUNT, "AWS_EC2_INSTANCE", "ACTIVE", "SUCCESSFUL", "3"]


def test_an_sbom_uploaded_as_the_body_with_the_resource_in_the_query(
    live: ServerProcess, admin: Key, store: Path, tmp_path: Path
) -> None:
    # Each query value percent-encoded, as SigV4's canonical form has it (':' too).
    encoded_hash = IMAGE_HASH.replace(":", "%3A")
    query = f"resourceType=image&repository=curl&imageHash={encoded_hash}&tag=team%3Dweb"
    answer = signed(
        "POST",
        f"{live.url}/_vigil/v1/inventories?{query}",
        admin,
        json.dumps(ALPINE_SBOM).encode(),
    )
    assert answer.status_code == 202, answer.text
    queued = answer.json()
    resource_id = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/curl/{IMAGE_HASH}"
    assert queued["resourceId"] == resource_id
    assert queued["resourceType"] == "AWS_ECR_CONTAINER_IMAGE"
    assert wait_for_job(live, admin, queued["jobId"])["status"] == "SUCCEEDED"
    found = all_findings(live.client(admin), ecrImageHash=eq(IMAGE_HASH))
    sbom = tmp_path / "alpine.cdx.json"
    sbom.write_text(json.dumps(ALPINE_SBOM))
    assert finding_ids(found) == local_ids(store, "--sbom", str(sbom))
    assert len(found) == 8
    details = found[0]["resources"][0]
    assert details["tags"] == {"team": "web"}
    assert details["details"]["awsEcrContainerImage"]["repositoryName"] == "curl"


def test_roles_and_accounts_bound_what_a_key_may_upload_and_read(
    live: ServerProcess, admin: Key, scanned: dict[str, Any]
) -> None:
    reader = live.create_key(ACCOUNT, "read-only")
    stranger = live.create_key("999988887777", "admin")
    upload = json.dumps(
        {"resource": {"type": "host", "id": "i-x"}, "document": ALPINE_SBOM}
    ).encode()
    refused = signed("POST", f"{live.url}/_vigil/v1/inventories", reader, upload)
    assert refused.status_code == 403, refused.text
    assert refused.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    job_url = f"{live.url}/_vigil/v1/jobs/{scanned['jobId']}"
    assert signed("GET", job_url, reader).json()["status"] == "SUCCEEDED"
    hidden = signed("GET", job_url, stranger)
    assert hidden.status_code == 404
    assert hidden.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    foreign = json.dumps(
        {"accountId": ACCOUNT, "resource": {"type": "host", "id": "i-x"}, "document": ALPINE_SBOM}
    ).encode()
    denied = signed("POST", f"{live.url}/_vigil/v1/inventories", stranger, foreign)
    assert denied.status_code == 403
    listed = signed("GET", f"{live.url}/_vigil/v1/resources", stranger).json()
    assert listed == {"resources": [], "nextToken": None}
    assert all_findings(live.client(stranger)) == []


def test_a_delegated_administrator_uploads_for_its_member_with_an_admin_key_only(
    live: ServerProcess,
) -> None:
    boss, member = "222233334444", "555566667777"
    boss_admin = live.create_key(boss, "admin")
    boss_analyst = live.create_key(boss, "analyst")
    member_admin = live.create_key(member, "admin")
    engine = open_engine(f"sqlite:///{live.data_dir / 'vigil.db'}")
    try:
        with engine.begin() as connection:
            connection.execute(
                update(accounts)
                .where(accounts.c.account_id == member)
                .values(delegated_admin_id=boss, relationship_status="ENABLED")
            )
    finally:
        engine.dispose()

    def upload(key: Key, account: str) -> Any:
        body = {
            "accountId": account,
            "resource": {"type": "host", "id": "i-member"},
            "document": ALPINE_SBOM,
        }
        return signed("POST", f"{live.url}/_vigil/v1/inventories", key, json.dumps(body).encode())

    accepted = upload(boss_admin, member)
    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["accountId"] == member
    assert wait_for_job(live, member_admin, accepted.json()["jobId"])["status"] == "SUCCEEDED"
    assert upload(boss_analyst, member).status_code == 403
    assert upload(member_admin, boss).status_code == 403
    mine = signed("GET", f"{live.url}/_vigil/v1/resources?accountId={member}", member_admin)
    assert [r["resourceId"] for r in mine.json()["resources"]] == ["i-member"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not a JSON object"),
        (b"[" * 100_000, "not a JSON object"),
        (json.dumps({"resource": {"type": "host", "id": "i-1"}}).encode(), "document"),
        (
            json.dumps(
                {
                    "resource": {"type": "host", "id": "i-1", "colour": "red"},
                    "document": ALPINE_SBOM,
                }
            ).encode(),
            "colour",
        ),
        (
            json.dumps({"resource": {"type": "host", "id": "i-1"}, "document": {"a": 1}}).encode(),
            "not a CycloneDX, SPDX or vigil-json document",
        ),
        (
            json.dumps(
                {"resource": {"type": "database", "id": "x"}, "document": ALPINE_SBOM}
            ).encode(),
            "resource.type",
        ),
    ],
)
def test_bad_uploads_are_refused_with_a_validation_error(
    live: ServerProcess, admin: Key, body: bytes, message: str
) -> None:
    answer = signed("POST", f"{live.url}/_vigil/v1/inventories", admin, body)
    assert answer.status_code == 400
    assert answer.headers["x-amzn-ErrorType"] == "ValidationException"
    assert message in answer.json()["message"]


def test_requests_must_be_signed_for_vigil_with_a_known_key(
    live: ServerProcess, admin: Key
) -> None:
    url = f"{live.url}/_vigil/v1/resources"
    wrong = Key(admin.access_key_id, "x" * 40)
    cases = [
        (signed("GET", url, wrong), "InvalidSignatureException"),
        (signed("GET", url, admin, service="inspector2"), "InvalidSignatureException"),
        (signed("GET", url, Key("VKIAAAAAAAAAAAAAAAAA", "y" * 40)), "UnrecognizedClientException"),
    ]
    for answer, code in cases:
        assert answer.status_code == 403
        assert answer.headers["x-amzn-ErrorType"] == code
        assert answer.json()["__type"] == code
    unsigned = httpx.get(url)
    assert unsigned.status_code == 403
    assert unsigned.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    unknown = signed("GET", f"{live.url}/_vigil/v1/nothing-here", admin)
    assert unknown.status_code == 404
    assert unknown.headers["x-amzn-ErrorType"] == "UnknownOperationException"


def test_a_replayed_upload_is_refused(live: ServerProcess, admin: Key) -> None:
    url = f"{live.url}/_vigil/v1/inventories"
    body = json.dumps({"resource": {"type": "host", "id": "i-replay"}, "document": ALPINE_SBOM})
    request = AWSRequest(method="POST", url=url, data=body.encode())
    SigV4Auth(Credentials(admin.access_key_id, admin.secret_access_key), "vigil", REGION).add_auth(
        request
    )
    headers = dict(request.headers.items())
    first = httpx.post(url, headers=headers, content=body.encode())
    again = httpx.post(url, headers=headers, content=body.encode())
    assert first.status_code == 202
    assert again.status_code == 403
    assert again.json()["message"] == "The request signature has already been used."


def test_the_server_writes_a_findings_report_with_its_job_workers(
    live: ServerProcess, admin: Key, scanned: dict[str, Any]
) -> None:
    client = live.client(admin)
    report = client.create_findings_report(
        reportFormat="JSON",
        s3Destination={"bucketName": "reports", "keyPrefix": "ci", "kmsKeyArn": KMS_KEY},
        filterCriteria={"resourceId": eq("i-0123456789abcdef0")},
    )["reportId"]
    deadline = time.monotonic() + 60
    while (status := client.get_findings_report_status(reportId=report))["status"] == (
        "IN_PROGRESS"
    ):
        assert time.monotonic() < deadline, status
        time.sleep(0.2)

    assert status["status"] == "SUCCEEDED", status
    written = json.loads((live.data_dir.parent / "reports" / "ci" / f"{report}.json").read_text())
    listed = all_findings(client, resourceId=eq("i-0123456789abcdef0"))
    assert finding_ids(written["findings"]) == finding_ids(listed)
    assert finding_ids(listed)


def test_the_server_scans_an_sbom_against_its_advisory_database(
    live: ServerProcess, admin: Key, store: Path, tmp_path: Path
) -> None:
    sbom = {**ALPINE_SBOM, "specVersion": "1.5"}  # ScanSbom reads CycloneDX 1.4 and 1.5
    path = tmp_path / "alpine.cdx.json"
    path.write_text(json.dumps(sbom))
    answer = live.client(admin, "inspector-scan").scan_sbom(sbom=sbom)["sbom"]
    found = {v["id"] for v in answer.get("vulnerabilities", [])}

    assert len(found) == 8  # curl 8.5.0-r0 on Alpine 3.19, as scan_support describes it
    assert found == local_ids(store, "--sbom", str(path))
