"""Vigil's own endpoints under ``/_vigil/v1/``: inventory and SBOM uploads, their jobs, resources.

- ``POST /_vigil/v1/inventories``: a vigil-json inventory, or a CycloneDX or SPDX JSON SBOM, for
  one resource (the two forms are described in ``vigil.service.upload_request``); answers 202
  with ``{"jobId", "accountId", "resourceId", "resourceType", "packageCount", …}``.
- ``GET /_vigil/v1/jobs/{jobId}``: that job's status, attempts, times, result or error.
- ``GET /_vigil/v1/resources?accountId=&maxResults=&nextToken=``: resources with their scan
  status and package count.

Requests are signed with SigV4 like the Inspector API, with the same keys, for the signing name
``vigil`` (any region). Uploads need an ``admin``, ``analyst`` or ``agent`` key; reads any key.
Uploads are replay-checked, reads are not (as in the Inspector API). Errors are JSON bodies
``{"__type", "message"}`` with the code in ``x-amzn-ErrorType`` too, as botocore reads them.

:func:`with_vigil_endpoints` puts these in front of the Inspector application: any path under
``/_vigil/`` comes here, everything else goes to the Inspector API unchanged.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from vigil.api import sigv4
from vigil.api.bodies import read_body
from vigil.api.errors import ApiError, internal_error, render
from vigil.api.routing import VIGIL_PREFIX
from vigil.service.api_context import ApiServices
from vigil.service.upload_request import InvalidUpload
from vigil.service.uploads import UploadDenied, UploadNotFound, UploadService, UploadTooLarge

SIGNING_NAME = "vigil"
PREFIX = "/_vigil/v1"
MAX_UPLOAD = 64 * 1024 * 1024  # an SBOM with every optional field is far larger than its inventory
_log = logging.getLogger(__name__)

Operation = Callable[[sigv4.Verified, Request, bytes], tuple[int, Any]]


class _Endpoints:
    def __init__(self, services: ApiServices, uploads: UploadService) -> None:
        self.services = services
        self.uploads = uploads

    def upload(self, verified: sigv4.Verified, request: Request, body: bytes) -> tuple[int, Any]:
        query = _query(request)
        return 202, self.uploads.upload(verified.caller, verified.region, query, body)

    def job(self, verified: sigv4.Verified, request: Request, _body: bytes) -> tuple[int, Any]:
        return 200, self.uploads.job(verified.caller, str(request.path_params["job_id"]))

    def resources(
        self, verified: sigv4.Verified, request: Request, _body: bytes
    ) -> tuple[int, Any]:
        params = dict(_query(request))
        unknown = sorted(set(params) - {"accountId", "maxResults", "nextToken"})
        if unknown:
            raise InvalidUpload(f"{unknown[0]}: not a parameter of this listing")
        size = params.get("maxResults")
        if size is not None and not size.isdigit():
            raise InvalidUpload("maxResults: a whole number")
        return 200, self.uploads.list_resources(
            verified.caller,
            params.get("accountId"),
            int(size) if size is not None else None,
            params.get("nextToken"),
        )

    def route(self, path: str, method: str, operation: Operation) -> Route:
        refuse_replays = method != "GET"

        async def endpoint(request: Request) -> Response:
            request_id = str(uuid.uuid4())
            try:
                body = await read_body(request, MAX_UPLOAD, "an upload")
            except ApiError as error:
                return _respond(request_id, *render(error, None))
            signed = sigv4.SignedRequest(
                method=request.method,
                raw_path=_raw_path(request),
                raw_query=request.scope.get("query_string", b"").decode("latin-1"),
                headers=[
                    (k.decode("latin-1").lower(), v.decode("latin-1"))
                    for k, v in request.headers.raw
                ],
                body=body,
            )
            status, headers, document = await run_in_threadpool(
                self._handle, operation, signed, request, request_id, refuse_replays
            )
            return _respond(request_id, status, headers, document)

        return Route(path, endpoint, methods=[method])

    def _handle(
        self,
        operation: Operation,
        signed: sigv4.SignedRequest,
        request: Request,
        request_id: str,
        refuse_replays: bool,
    ) -> tuple[int, dict[str, str], Any]:
        try:
            verified = sigv4.verify(
                signed,
                SIGNING_NAME,
                self.services.keys,
                self.services.clock(),
                refuse_replays=refuse_replays,
            )
        except ApiError as error:
            return render(error, None)
        try:
            status, document = operation(verified, request, signed.body)
            return status, {}, document
        except ApiError as error:
            return render(error, None)
        # Outside the Inspector models nothing supplies an error's status: each is given here.
        except InvalidUpload as error:
            return render(_invalid(str(error)), None)
        except UploadDenied as error:
            return render(ApiError("AccessDeniedException", str(error), status=403), None)
        except UploadNotFound as error:
            return render(ApiError("ResourceNotFoundException", str(error), status=404), None)
        except UploadTooLarge as error:
            return render(ApiError("RequestEntityTooLargeException", str(error), status=413), None)
        except Exception:
            _log.exception("request %s (%s %s) failed", request_id, signed.method, signed.raw_path)
            if refuse_replays:
                # A client retries a 500; its retry may carry the same signature.
                self.services.keys.forget_signature(verified.signature)
            return render(internal_error(request_id), None)


def vigil_app(services: ApiServices, uploads: UploadService) -> Starlette:
    """The ``/_vigil/`` application alone."""
    endpoints = _Endpoints(services, uploads)

    async def unknown(request: Request) -> Response:
        error = ApiError(
            "UnknownOperationException",
            f"Vigil has no endpoint at {request.method} {request.url.path[:200]}",
            status=404,
        )
        return _respond(str(uuid.uuid4()), *render(error, None))

    return Starlette(
        routes=[
            endpoints.route(f"{PREFIX}/inventories", "POST", endpoints.upload),
            endpoints.route(f"{PREFIX}/jobs/{{job_id}}", "GET", endpoints.job),
            endpoints.route(f"{PREFIX}/resources", "GET", endpoints.resources),
            Route("/{path:path}", unknown, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        ]
    )


def with_vigil_endpoints(inspector: ASGIApp, vigil: ASGIApp) -> ASGIApp:
    """One ASGI application: paths under ``/_vigil/`` to ``vigil``, the rest to ``inspector``."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(VIGIL_PREFIX):
            await vigil(scope, receive, send)
        else:
            await inspector(scope, receive, send)

    return app


def _invalid(message: str) -> ApiError:
    return ApiError("ValidationException", message, status=400)


def _query(request: Request) -> list[tuple[str, str]]:
    raw = request.scope.get("query_string", b"").decode("latin-1")
    return [sigv4.query_pair(item) for item in raw.split("&") if item]


def _raw_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    return raw.decode("latin-1") if raw else str(request.scope["path"])


def _respond(request_id: str, status: int, headers: dict[str, str], document: Any) -> Response:
    content = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(
        content,
        status_code=status,
        headers={**headers, "x-amzn-RequestId": request_id},
        media_type="application/json",
    )
