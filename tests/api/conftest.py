"""A live API server per test module, and signing helpers for raw HTTP requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.api.echo import ECHO_HANDLERS
from tests.apiserver import REGION, Key, LiveApi, start_api


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    """A server with Vigil's own operation registry."""
    with start_api(tmp_path_factory.mktemp("api")) as live:
        yield live


@pytest.fixture(scope="module")
def echo_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    """A server whose handlers record the parameters they receive (tests/api/echo.py)."""
    with start_api(tmp_path_factory.mktemp("echo"), handlers=ECHO_HANDLERS) as live:
        yield live


@pytest.fixture(scope="module")
def admin(api: LiveApi) -> Key:
    return api.create_key("111122223333", "admin")


def signed_headers(
    method: str,
    url: str,
    key: Key,
    body: bytes = b"",
    *,
    service: str = "inspector2",
    region: str = REGION,
    headers: dict[str, str] | None = None,
) -> dict[str, str]:
    """The headers of a request signed now, as botocore signs it."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(Credentials(key.access_key_id, key.secret_access_key), service, region).add_auth(
        request
    )
    return dict(request.headers.items())


def send(method: str, url: str, headers: dict[str, str], body: bytes = b"") -> httpx.Response:
    with httpx.Client() as client:
        return client.request(method, url, headers=headers, content=body)


def error_of(response: httpx.Response) -> tuple[int, str, dict[str, Any]]:
    """(status, x-amzn-ErrorType, body) of an error answer, checking the two codes agree."""
    body: dict[str, Any] = response.json()
    assert body["__type"] == response.headers["x-amzn-ErrorType"]
    assert response.headers["x-amzn-RequestId"]
    return response.status_code, body["__type"], body
