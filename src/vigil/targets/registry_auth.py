"""Registry authentication as an httpx auth flow: anonymous, Basic, or Bearer tokens obtained
from the realm a ``WWW-Authenticate`` challenge names (the distribution token protocol)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Generator

import httpx

_PARAM = re.compile(r'(\w+)="([^"]*)"')


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """``Bearer realm="...",service="..."`` -> ("bearer", {"realm": ..., "service": ...})."""
    scheme, _, rest = header.strip().partition(" ")
    return scheme.lower(), dict(_PARAM.findall(rest))


class RegistryAuth(httpx.Auth):
    """Answers 401 challenges once per request and reuses the header it earned."""

    def __init__(self, credentials: tuple[str, str] | None, *, allow_http: bool) -> None:
        self._credentials = credentials
        self._allow_http = allow_http
        self._header: str | None = None

    def _basic(self) -> str | None:
        if self._credentials is None:
            return None
        user, password = self._credentials
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._header is not None:
            request.headers["Authorization"] = self._header
        response = yield request
        if response.status_code != 401 or "WWW-Authenticate" not in response.headers:
            return
        scheme, params = parse_challenge(response.headers["WWW-Authenticate"])
        if scheme == "basic":
            header = self._basic()
        elif scheme == "bearer" and "realm" in params:
            header = yield from self._token(params)
        else:
            header = None
        if header is None:
            return
        self._header = header
        request.headers["Authorization"] = header
        yield request

    def _token(
        self, params: dict[str, str]
    ) -> Generator[httpx.Request, httpx.Response, str | None]:
        realm = httpx.URL(params["realm"])
        if realm.scheme != "https" and not (realm.scheme == "http" and self._allow_http):
            return None  # never send credentials to a realm over plain http unless allowed
        query = {k: v for k, v in params.items() if k in ("service", "scope")}
        token_request = httpx.Request("GET", realm.copy_merge_params(query))
        basic = self._basic()
        if basic is not None:
            token_request.headers["Authorization"] = basic
        token_response = yield token_request
        if token_response.status_code != 200:
            return None
        try:
            # Read here, not via requires_response_body: that would buffer every layer download.
            body = json.loads(token_response.read())
        except ValueError:
            return None
        token = body.get("token") or body.get("access_token") if isinstance(body, dict) else None
        return f"Bearer {token}" if isinstance(token, str) and token else None
