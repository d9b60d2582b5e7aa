"""SigV4 against a live server: unmodified boto3, raw signed requests, and every refusal."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from tests.api.conftest import error_of, send, signed_headers
from tests.apiserver import Key, LiveApi, start_api

LIST_PERMISSIONS = "/accountpermissions/list"


def code_of(error: pytest.ExceptionInfo[ClientError]) -> tuple[int, str]:
    response = error.value.response
    return response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"]


def test_boto3_signs_and_the_caller_is_its_key(api: LiveApi, admin: Key) -> None:
    answer = api.client(admin).list_account_permissions()

    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert answer["ResponseMetadata"]["RequestId"]
    assert len(answer["permissions"]) == 8
    assert "nextToken" not in answer


def test_two_identical_calls_in_one_second_are_not_replays(api: LiveApi, admin: Key) -> None:
    # botocore signs a fresh amz-sdk-invocation-id into every call, so repeats differ.
    client = api.client(admin)
    first = client.list_account_permissions(service="EC2")
    second = client.list_account_permissions(service="EC2")

    assert first["permissions"] == second["permissions"]


def test_a_wrong_secret_is_an_invalid_signature(api: LiveApi, admin: Key) -> None:
    forged = Key(admin.access_key_id, admin.secret_access_key[:-4] + "AAAA")
    with pytest.raises(ClientError) as raised:
        api.client(forged).list_account_permissions()

    assert code_of(raised) == (403, "InvalidSignatureException")
    assert "signature we calculated does not match" in raised.value.response["Error"]["Message"]


def test_an_unknown_key_is_unrecognized(api: LiveApi) -> None:
    stranger = Key("VKIAAAAAAAAAAAAAAAAA", "x" * 40)
    with pytest.raises(ClientError) as raised:
        api.client(stranger).list_account_permissions()

    assert code_of(raised) == (403, "UnrecognizedClientException")


def test_a_revoked_key_is_refused_at_once(api: LiveApi) -> None:
    key = api.create_key("111122223333", "read-only")
    client = api.client(key)
    assert client.list_account_permissions()["permissions"] == []

    done = api.vigil("keys", "revoke", key.access_key_id)
    assert done.exit_code == 0, done.output
    with pytest.raises(ClientError) as raised:
        client.list_account_permissions()

    assert code_of(raised) == (403, "UnrecognizedClientException")


def test_a_replayed_write_is_refused(echo_api: LiveApi) -> None:
    key = echo_api.create_key()
    url = echo_api.url + "/tags/arn%3Aaws%3Ainspector2%3Aus-east-1%3A111122223333%3Afilter%2Fa"
    body = b'{"tags":{"team":"blue"}}'
    headers = signed_headers("POST", url, key, body)

    first = send("POST", url, headers, body)
    again = send("POST", url, headers, body)

    assert first.status_code == 200, first.text
    status, code, answer = error_of(again)
    assert (status, code) == (403, "InvalidSignatureException")
    assert answer["message"] == "The request signature has already been used."


def test_a_write_refused_as_unimplemented_still_counts_as_seen(api: LiveApi, admin: Key) -> None:
    url = api.url + "/cis/scan-configuration/delete"
    arn = "arn:aws:inspector2:us-east-1:111122223333:owner/111122223333/cis-configuration/a"
    body = json.dumps({"scanConfigurationArn": arn}).encode()
    headers = signed_headers("POST", url, admin, body)

    assert error_of(send("POST", url, headers, body))[1] == "ValidationException"
    assert error_of(send("POST", url, headers, body))[1] == "InvalidSignatureException"


def test_a_repeated_read_is_served(api: LiveApi, admin: Key) -> None:
    # Identical reads signed in one second are indistinguishable from a replay and legitimate.
    url = api.url + LIST_PERMISSIONS
    body = b'{"service":"LAMBDA"}'
    headers = signed_headers("POST", url, admin, body)

    first = send("POST", url, headers, body)
    again = send("POST", url, headers, body)

    assert first.status_code == again.status_code == 200
    assert first.json()["permissions"][0] == {"service": "LAMBDA", "operation": "ENABLE_SCANNING"}
    assert again.json() == first.json()


def test_a_body_changed_after_signing_is_refused(api: LiveApi, admin: Key) -> None:
    url = api.url + LIST_PERMISSIONS
    headers = signed_headers("POST", url, admin, b'{"service":"EC2"}')

    status, code, _ = error_of(send("POST", url, headers, b'{"service":"ECR"}'))

    assert (status, code) == (403, "InvalidSignatureException")


@pytest.fixture(scope="module")
def late_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    """A server whose clock runs six minutes ahead: every client signs in its past."""

    def clock() -> datetime:
        return datetime.now(UTC) + timedelta(minutes=6)

    with start_api(tmp_path_factory.mktemp("late"), clock=clock) as live:
        yield live


@pytest.fixture(scope="module")
def early_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    def clock() -> datetime:
        return datetime.now(UTC) - timedelta(minutes=6)

    with start_api(tmp_path_factory.mktemp("early"), clock=clock) as live:
        yield live


def test_a_signature_older_than_five_minutes_has_expired(late_server: LiveApi) -> None:
    key = late_server.create_key()
    with pytest.raises(ClientError) as raised:
        late_server.client(key).list_account_permissions()

    assert code_of(raised) == (403, "InvalidSignatureException")
    assert raised.value.response["Error"]["Message"].startswith("Signature expired: ")


def test_a_signature_from_the_future_is_not_yet_current(early_server: LiveApi) -> None:
    key = early_server.create_key()
    with pytest.raises(ClientError) as raised:
        early_server.client(key).list_account_permissions()

    assert code_of(raised) == (403, "InvalidSignatureException")
    assert "not yet current" in raised.value.response["Error"]["Message"]


def test_the_scope_must_name_the_routes_service(api: LiveApi, admin: Key) -> None:
    url = api.url + LIST_PERMISSIONS
    headers = signed_headers("POST", url, admin, b"{}", service="inspector-scan")

    status, code, answer = error_of(send("POST", url, headers, b"{}"))

    assert (status, code) == (403, "InvalidSignatureException")
    assert answer["message"] == "Credential should be scoped to correct service: 'inspector2'."


def test_the_scope_must_name_a_region(api: LiveApi, admin: Key) -> None:
    url = api.url + LIST_PERMISSIONS
    headers = signed_headers("POST", url, admin, b"{}", region="moon")

    status, code, _ = error_of(send("POST", url, headers, b"{}"))

    assert (status, code) == (403, "InvalidSignatureException")


def test_the_region_of_the_scope_reaches_the_handler(echo_api: LiveApi) -> None:
    key = echo_api.create_key("444455556666", "admin")
    client = echo_api.client(key, region="eu-west-3")

    tags = client.list_tags_for_resource(resourceArn="arn:aws:inspector2:eu-west-3:1:x")["tags"]

    assert tags == {"caller": "444455556666", "region": "eu-west-3"}


def test_an_unsigned_request_is_missing_its_token(api: LiveApi) -> None:
    status, code, answer = error_of(send("POST", api.url + LIST_PERMISSIONS, {}, b"{}"))

    assert (status, code) == (403, "MissingAuthenticationTokenException")
    assert answer["message"] == "Missing Authentication Token"


@pytest.mark.parametrize(
    "authorization",
    [
        "AWS4-HMAC-SHA256 Credential=VKIA/20260101/us-east-1/inspector2/aws4_request",
        "AWS4-HMAC-SHA256 Credential=VKIA/x, SignedHeaders=host, Signature=" + "0" * 64,
        "AWS4-HMAC-SHA256 Credential=VKIA/20260101/us-east-1/inspector2/aws4_request, "
        "SignedHeaders=host, Signature=zz",
        "Basic dXNlcjpwYXNz",
    ],
)
def test_a_malformed_authorization_is_incomplete(api: LiveApi, authorization: str) -> None:
    headers = {"Authorization": authorization, "X-Amz-Date": "20260101T000000Z"}

    status, code, _ = error_of(send("POST", api.url + LIST_PERMISSIONS, headers, b"{}"))

    assert (status, code) == (400, "IncompleteSignatureException")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("analyst", True), ("read-only", True), ("agent", False)],
)
def test_roles_gate_operations(api: LiveApi, role: str, allowed: bool) -> None:
    client = api.client(api.create_key("222233334444", role))
    if allowed:
        assert isinstance(client.list_account_permissions()["permissions"], list)
    else:
        with pytest.raises(ClientError) as raised:
            client.list_account_permissions()
        assert code_of(raised) == (403, "AccessDeniedException")
    # Enable is an administrator's operation; everyone else is refused before anything runs.
    if role != "admin":
        with pytest.raises(client.exceptions.AccessDeniedException) as denied:
            client.enable(resourceTypes=["EC2"])
        assert f"The {role} role" in denied.value.response["Error"]["Message"]


def test_the_permissions_listed_follow_the_role(api: LiveApi) -> None:
    analyst = api.client(api.create_key("222233334444", "analyst"))
    admin = api.client(api.create_key("222233334444", "admin"))

    assert analyst.list_account_permissions()["permissions"] == []
    assert {
        (p["service"], p["operation"]) for p in admin.list_account_permissions()["permissions"]
    } >= {
        ("ECR", "ENABLE_REPOSITORY"),
        ("LAMBDA", "DISABLE_SCANNING"),
    }


def test_secrets_never_reach_the_logs(
    api: LiveApi, admin: Key, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    forged = Key(admin.access_key_id, admin.secret_access_key[::-1])
    with pytest.raises(ClientError):
        api.client(forged).list_account_permissions()
    with pytest.raises(ClientError):
        api.client(Key(admin.access_key_id + "Z", admin.secret_access_key)).list_tags_for_resource(
            resourceArn="arn:x"
        )
    refusals = [r for r in caplog.records if r.name == "vigil.api.sigv4"]

    assert refusals, "a refused request is logged"
    assert any(admin.access_key_id in r.getMessage() for r in refusals)
    assert admin.secret_access_key not in caplog.text
    assert forged.secret_access_key not in caplog.text
