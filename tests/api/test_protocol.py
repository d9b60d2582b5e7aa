"""The rest-json protocol as botocore speaks it: labels, query strings, errors, outputs."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.api import echo
from tests.api.conftest import error_of, send, signed_headers
from tests.apiserver import REGION, Key, LiveApi

FILTER_ARN = "arn:aws:inspector2:us-east-1:111122223333:owner/111122223333/filter/ab cd+é"
AWS = Path(sys.executable).with_name("aws")


@pytest.fixture(scope="module")
def key(echo_api: LiveApi) -> Key:
    return echo_api.create_key("111122223333", "admin")


def last_received(operation: str) -> dict[str, Any]:
    for name, params in reversed(echo.RECEIVED):
        if name == operation:
            return params
    raise AssertionError(f"{operation} was not called")


def test_a_percent_encoded_arn_label_is_decoded(echo_api: LiveApi, key: Key) -> None:
    client = echo_api.client(key)
    client.tag_resource(resourceArn=FILTER_ARN, tags={"team": "blue"})

    assert last_received("TagResource") == {"resourceArn": FILTER_ARN, "tags": {"team": "blue"}}


def test_repeated_query_keys_become_a_list(echo_api: LiveApi, key: Key) -> None:
    client = echo_api.client(key)
    client.untag_resource(resourceArn=FILTER_ARN, tagKeys=["team", "cost center", "a&b=c"])

    assert last_received("UntagResource") == {
        "resourceArn": FILTER_ARN,
        "tagKeys": ["team", "cost center", "a&b=c"],
    }


def test_timestamps_in_the_body_are_parsed(echo_api: LiveApi, key: Key) -> None:
    client = echo_api.client(key)
    client.list_cis_scans(
        filterCriteria={
            "scanAtFilters": [
                {"earliestScanStartTime": 1700000000, "latestScanStartTime": "2026-01-02T03:04:05Z"}
            ]
        }
    )

    window = last_received("ListCisScans")["filterCriteria"]["scanAtFilters"][0]
    assert window["earliestScanStartTime"].isoformat() == "2023-11-14T22:13:20+00:00"
    assert window["latestScanStartTime"].isoformat() == "2026-01-02T03:04:05+00:00"


def test_outputs_are_written_to_the_shape(echo_api: LiveApi, key: Key) -> None:
    client = echo_api.client(key)
    member = client.get_member(accountId="123456789012")["member"]
    raw = send(
        "POST",
        echo_api.url + "/members/get",
        signed_headers("POST", echo_api.url + "/members/get", key, b'{"accountId":"123456789012"}'),
        b'{"accountId":"123456789012"}',
    )

    assert member["updatedAt"].isoformat() == "2026-11-21T10:30:15.250000+00:00"
    assert raw.json() == {
        "member": {
            "accountId": "123456789012",
            "relationshipStatus": "ENABLED",
            "updatedAt": datetime(2026, 11, 21, 10, 30, 15, 250000, tzinfo=UTC).timestamp(),
        }
    }
    usage = client.list_usage_totals()["totals"][0]["usage"][0]
    assert usage == {"type": "EC2_INSTANCE_HOURS", "total": 12.5, "currency": "USD"}


def test_an_empty_body_is_an_empty_input(echo_api: LiveApi, key: Key) -> None:
    url = echo_api.url + "/usage/list"
    answer = send("POST", url, signed_headers("POST", url, key), b"")

    assert answer.status_code == 200
    assert last_received("ListUsageTotals") == {}


def test_unknown_path_is_a_clear_404(echo_api: LiveApi) -> None:
    status, code, body = error_of(send("POST", echo_api.url + "/findings/lists", {}))

    assert (status, code) == (404, "UnknownOperationException")
    assert body["message"] == "No inspector2 or inspector-scan operation at POST /findings/lists"


def test_vigils_prefix_is_reserved(echo_api: LiveApi) -> None:
    status, code, _ = error_of(send("POST", echo_api.url + "/_vigil/v1/inventories", {}))

    assert (status, code) == (404, "UnknownOperationException")


def test_a_known_path_with_another_method_is_405(echo_api: LiveApi) -> None:
    response = send("GET", echo_api.url + "/findings/list", {})

    assert error_of(response)[:2] == (405, "UnknownOperationException")
    assert response.headers["Allow"] == "POST"


def test_an_unimplemented_operation_is_a_modeled_error(api: LiveApi, admin: Key) -> None:
    client = api.client(admin)
    # CIS scans are outside what Vigil serves.
    with pytest.raises(client.exceptions.ValidationException) as raised:
        client.list_cis_scans()

    assert raised.value.response["Error"]["Message"] == "Vigil does not implement ListCisScans"
    assert raised.value.response["reason"] == "OTHER"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_inspector_scan_is_served_on_the_same_port(api: LiveApi, admin: Key) -> None:
    scan = api.client(admin, "inspector-scan")
    # This server was given no advisory database: the operation is routed and answers so.
    with pytest.raises(scan.exceptions.InternalServerException) as raised:
        scan.scan_sbom(sbom={"bomFormat": "CycloneDX", "specVersion": "1.5"})

    assert "no advisory database" in raised.value.response["Error"]["Message"]


def test_field_validation_lists_every_field(api: LiveApi, admin: Key) -> None:
    client = api.client(admin, validate=False)
    with pytest.raises(client.exceptions.ValidationException) as raised:
        client.list_account_permissions(service="S3", maxResults=0, nextToken="x" * 10)
    response = raised.value.response

    assert response["reason"] == "FIELD_VALIDATION_FAILED"
    by_name = {f["name"]: f["message"] for f in response["fields"]}
    assert set(by_name) == {"service", "maxResults"}
    assert "enum value set: [EC2, ECR, LAMBDA]" in by_name["service"]
    assert "valid min value: 1" in by_name["maxResults"]


def test_unknown_members_and_wrong_types_are_refused(api: LiveApi, admin: Key) -> None:
    url = api.url + "/accountpermissions/list"
    body = b'{"surprise": 1, "maxResults": true, "service": 3}'
    answer = send("POST", url, signed_headers("POST", url, admin, body), body)
    status, code, document = error_of(answer)

    assert (status, code, document["reason"]) == (
        400,
        "ValidationException",
        "FIELD_VALIDATION_FAILED",
    )
    by_name = {f["name"]: f["message"] for f in document["fields"]}
    assert set(by_name) == {"surprise", "maxResults", "service"}
    assert by_name["surprise"].startswith('Unknown parameter in input: "surprise"')


def test_a_body_that_is_not_json_cannot_be_parsed(api: LiveApi, admin: Key) -> None:
    url = api.url + "/accountpermissions/list"
    for body in (b"{not json", b"[1, 2]", b'{"maxResults": NaN}'):
        status, code, answer = error_of(
            send("POST", url, signed_headers("POST", url, admin, body), body)
        )
        assert (status, code, answer["reason"]) == (400, "ValidationException", "CANNOT_PARSE")


def test_an_unexpected_error_is_a_500_with_its_request_id(
    echo_api: LiveApi, key: Key, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="vigil.api.app")
    client = echo_api.client(key)
    with pytest.raises(client.exceptions.InternalServerException) as raised:
        client.describe_organization_configuration()
    response = raised.value.response
    request_id = response["ResponseMetadata"]["RequestId"]

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert request_id in response["Error"]["Message"]
    assert "fire" not in response["Error"]["Message"]
    logged = [r for r in caplog.records if request_id in r.getMessage()]
    assert logged
    assert logged[0].exc_info is not None
    assert "the disk is on fire" in caplog.text


def test_a_handler_answering_off_the_shape_fails_loudly(echo_api: LiveApi, key: Key) -> None:
    client = echo_api.client(key)
    with pytest.raises(client.exceptions.InternalServerException):
        client.list_members()


def test_retry_after_reaches_botocore(echo_api: LiveApi, key: Key) -> None:
    client = echo_api.client(key)
    with pytest.raises(client.exceptions.ThrottlingException) as raised:
        client.list_filters()

    assert raised.value.response["retryAfterSeconds"] == 3
    assert raised.value.response["ResponseMetadata"]["HTTPHeaders"]["retry-after"] == "3"


def test_a_failed_write_can_be_retried_with_the_same_signature(
    echo_api: LiveApi, key: Key, caplog: pytest.LogCaptureFixture
) -> None:
    # botocore may retry a 500 within the same second, with the very same signature.
    caplog.set_level(logging.CRITICAL, logger="vigil.api.app")
    url = echo_api.url + "/organizationconfiguration/update"
    body = b'{"autoEnable":{"ec2":true,"ecr":false}}'
    headers = signed_headers("POST", url, key, body)
    answers = [send("POST", url, headers, body) for _ in range(2)]

    assert [error_of(a)[:2] for a in answers] == [(500, "InternalServerException")] * 2
    assert last_received("UpdateOrganizationConfiguration") == {
        "autoEnable": {"ec2": True, "ecr": False}
    }


def aws_cli(api: LiveApi, key: Key, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_ACCESS_KEY_ID": key.access_key_id,
        "AWS_SECRET_ACCESS_KEY": key.secret_access_key,
        # Paths that do not exist: no profile of the machine's leaks in (awscli refuses /dev/null).
        "AWS_CONFIG_FILE": "/nonexistent/vigil/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/vigil/aws-credentials",
    }
    command = [str(AWS), *args, "--endpoint-url", api.url, "--region", REGION, "--output", "json"]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_the_aws_cli_lists_account_permissions(api: LiveApi, admin: Key) -> None:
    done = aws_cli(api, admin, "inspector2", "list-account-permissions", "--service", "EC2")

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["permissions"] == [
        {"service": "EC2", "operation": "ENABLE_SCANNING"},
        {"service": "EC2", "operation": "DISABLE_SCANNING"},
    ]


def test_the_aws_cli_signs_encoded_arns_and_repeated_keys(echo_api: LiveApi, key: Key) -> None:
    done = aws_cli(
        echo_api,
        key,
        "inspector2",
        "untag-resource",
        "--resource-arn",
        FILTER_ARN,
        "--tag-keys",
        "team",
        "cost center",
    )

    assert done.returncode == 0, done.stderr
    assert last_received("UntagResource") == {
        "resourceArn": FILTER_ARN,
        "tagKeys": ["team", "cost center"],
    }


def test_the_aws_cli_reports_a_refusal(api: LiveApi, admin: Key) -> None:
    done = aws_cli(
        api, Key(admin.access_key_id, "wrong" * 8), "inspector2", "list-account-permissions"
    )

    assert done.returncode != 0
    assert "InvalidSignatureException" in done.stderr


def test_client_errors_carry_the_request_id(api: LiveApi, admin: Key) -> None:
    with pytest.raises(ClientError) as raised:
        api.client(admin).delete_filter(
            arn="arn:aws:inspector2:us-east-1:111122223333:owner/111122223333/filter/0"
        )

    assert raised.value.response["ResponseMetadata"]["RequestId"]


def test_hostile_bodies_are_refused_cleanly(api: LiveApi, admin: Key) -> None:
    url = api.url + "/accountpermissions/list"
    deep = b"[" * 100_000 + b"]" * 100_000
    status, code, answer = error_of(
        send("POST", url, signed_headers("POST", url, admin, deep), deep)
    )
    assert (status, code, answer["reason"]) == (400, "ValidationException", "CANNOT_PARSE")

    huge = b" " * (16 * 1024 * 1024 + 1)
    status, code, _ = error_of(send("POST", url, {}, huge))
    assert (status, code) == (413, "RequestEntityTooLargeException")
