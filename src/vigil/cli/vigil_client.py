"""A client of Vigil's own endpoints, signed with SigV4 and credentials found as the AWS CLI
finds them.

Credentials come from botocore's provider chain: ``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY`` (and ``AWS_SESSION_TOKEN``), the ``--profile`` (or ``AWS_PROFILE``) in
the shared credentials and config files, and the rest of that chain. The region is ``--region``,
else the profile's, else ``us-east-1``. The endpoint is ``--endpoint-url``, else
``VIGIL_ENDPOINT_URL``, else ``AWS_ENDPOINT_URL``, else ``http://127.0.0.1:8080``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

SIGNING_NAME = "vigil"  # as vigil.api.vigil_ingest verifies
DEFAULT_ENDPOINT = "http://127.0.0.1:8080"
DEFAULT_REGION = "us-east-1"
ENDPOINT_ENVS = ("VIGIL_ENDPOINT_URL", "AWS_ENDPOINT_URL")


class ClientError(Exception):
    """The request could not be made, or Vigil refused it (``code`` as Vigil sent it)."""

    def __init__(self, message: str, code: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class Connection:
    endpoint_url: str
    region: str
    credentials: Any  # botocore ReadOnlyCredentials
    timeout: float = 60.0


def connect(
    endpoint_url: str | None,
    region: str | None,
    profile: str | None,
    env: Mapping[str, str] | None = None,
) -> Connection:
    # botocore is imported when used: every ``vigil`` command would pay for it otherwise.
    import botocore.session
    from botocore.exceptions import BotoCoreError

    env = os.environ if env is None else env
    try:
        session = botocore.session.Session(profile=profile)
        credentials = session.get_credentials()
        chosen_region = region or session.get_config_variable("region") or DEFAULT_REGION
    except BotoCoreError as exc:
        raise ClientError(str(exc)) from None
    if credentials is None:
        raise ClientError(
            "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a "
            "--profile (a key from `vigil keys create`)"
        )
    endpoint = endpoint_url or next((env[n] for n in ENDPOINT_ENVS if env.get(n)), None)
    return Connection(
        (endpoint or DEFAULT_ENDPOINT).rstrip("/"),
        chosen_region,
        credentials.get_frozen_credentials(),
    )


def call(
    connection: Connection,
    method: str,
    path: str,
    query: Sequence[tuple[str, str]] = (),
    body: bytes = b"",
) -> Any:
    """Send one signed request; the JSON answer, or ``ClientError`` for an error answer."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    encoded = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
    url = connection.endpoint_url + path + (f"?{encoded}" if encoded else "")
    request = AWSRequest(
        method=method, url=url, data=body, headers={"Content-Type": "application/json"}
    )
    SigV4Auth(connection.credentials, SIGNING_NAME, connection.region).add_auth(request)
    try:
        with httpx.Client(timeout=connection.timeout) as client:
            answer = client.request(
                method, url, headers=dict(request.headers.items()), content=body
            )
    except httpx.HTTPError as exc:
        raise ClientError(f"{connection.endpoint_url}: {exc}") from None
    try:
        document = answer.json()
    except ValueError:
        raise ClientError(
            f"{connection.endpoint_url} answered {answer.status_code} without JSON; "
            "is it a Vigil server?",
            status=answer.status_code,
        ) from None
    if answer.status_code >= 400:
        code = answer.headers.get("x-amzn-ErrorType") or (
            document.get("__type") if isinstance(document, dict) else None
        )
        message = document.get("message") if isinstance(document, dict) else None
        raise ClientError(f"{code}: {message}", code=code, status=answer.status_code)
    return document


def encode(document: Any) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()
