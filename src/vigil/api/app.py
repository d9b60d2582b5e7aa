"""The ASGI application: one port for ``inspector2``, ``inspector-scan`` and Vigil's own API.

Each request goes: route (404/405 for no operation) → SigV4 for the route's signing name →
role check → handler present? (else the modeled "not implemented" answer) → input parsing and
validation → handler → output serialisation. Every answer carries ``x-amzn-RequestId``; an
unexpected exception is logged with its traceback and answered as InternalServerException 500.
Handlers run in a worker thread (they use a blocking database engine).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from vigil.api import sigv4
from vigil.api.bodies import read_body
from vigil.api.context import Handler, RequestContext
from vigil.api.errors import ApiError, access_denied, internal_error, not_implemented, render
from vigil.api.inputs import parse_input
from vigil.api.models import BotocoreServiceModel, service_models
from vigil.api.outputs import serialize_output
from vigil.api.permissions import allowed, is_read_only
from vigil.api.routing import VIGIL_PREFIX, BadLabel, Match, NoRoute, Router
from vigil.api.validation import validate
from vigil.service.api_context import ApiServices

MAX_BODY = 16 * 1024 * 1024  # a ScanSbom of 5,000 components fits many times over
_RETRYABLE = frozenset({"InternalServerException", "ThrottlingException"})
_METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
_log = logging.getLogger(__name__)


class _Dispatcher:
    def __init__(
        self,
        services: ApiServices,
        handlers: Mapping[str, Handler],
        request_ids: Callable[[], str],
    ) -> None:
        self.services = services
        self.router = Router(service_models())
        known = {route.name for route in self.router.routes}
        strays = sorted(set(handlers) - known)
        if strays:
            raise ValueError(f"handlers for operations no model defines: {', '.join(strays)}")
        self.handlers = dict(handlers)
        self.request_ids = request_ids

    async def endpoint(self, request: Request) -> Response:
        request_id = self.request_ids()
        try:
            body = await read_body(request, MAX_BODY, "A request body")
        except ApiError as error:
            return _respond(request_id, *render(error, None))
        signed = sigv4.SignedRequest(
            method=request.method,
            raw_path=_raw_path(request),
            raw_query=request.scope.get("query_string", b"").decode("latin-1"),
            headers=[
                (k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in request.headers.raw
            ],
            body=body,
        )
        status, headers, document = await run_in_threadpool(self.handle, signed, request_id)
        return _respond(request_id, status, headers, document)

    def handle(
        self, request: sigv4.SignedRequest, request_id: str
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        service: BotocoreServiceModel | None = None
        try:
            match = self._match(request)
            service = match.route.service
            return self._call(match, request, request_id)
        except ApiError as error:
            return render(error, service)
        except Exception:
            _log.exception("request %s (%s %s) failed", request_id, request.method, _shown(request))
            return render(internal_error(request_id), service)

    def _match(self, request: sigv4.SignedRequest) -> Match:
        if request.raw_path.startswith(VIGIL_PREFIX):
            # Reserved for Vigil's own endpoints (ingest, targets); none is served yet.
            raise ApiError(
                "UnknownOperationException",
                f"Vigil has no endpoint at {request.method} {_shown(request)}",
                status=404,
            )
        try:
            return self.router.find(request.method, request.raw_path)
        except NoRoute as missing:
            if missing.allowed:
                raise ApiError(
                    "UnknownOperationException",
                    f"{_shown(request)} does not accept {request.method}",
                    status=405,
                    headers={"Allow": ", ".join(missing.allowed)},
                ) from None
            raise ApiError(
                "UnknownOperationException",
                f"No inspector2 or inspector-scan operation at {request.method} {_shown(request)}",
                status=404,
            ) from None
        except BadLabel:
            raise ApiError(
                "ValidationException",
                "A path label is not percent-encoded UTF-8",
                status=400,
                members={"reason": "CANNOT_PARSE"},
            ) from None

    def _call(
        self, match: Match, request: sigv4.SignedRequest, request_id: str
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        route = match.route
        verified = sigv4.verify(
            request,
            route.signing_name,
            self.services.keys,
            self.services.clock(),
            refuse_replays=not is_read_only(route.name),
        )
        try:
            if not allowed(verified.caller.role, route.name):
                raise access_denied(
                    f"The {verified.caller.role} role of key {verified.caller.access_key_id} "
                    f"may not call {route.name}"
                )
            handler = self.handlers.get(route.name)
            if handler is None:
                raise not_implemented(route.operation)
            params = parse_input(
                route.operation, match.labels, _query(request), dict(request.headers), request.body
            )
            validate(params, route.operation.input_shape)
            context = RequestContext(
                self.services, verified.caller, verified.region, request_id, route.name
            )
            return serialize_output(route.operation, handler(context, params))
        except BaseException as error:
            if _retryable(error) and not is_read_only(route.name):
                # botocore retries these; a retry signed within the same second carries the same
                # signature and must not be refused as a replay.
                self.services.keys.forget_signature(verified.signature)
            raise


def create_app(
    services: ApiServices,
    handlers: Mapping[str, Handler] | None = None,
    request_ids: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> Starlette:
    """The API application over ``services``; ``handlers`` default to the operation registry."""
    if handlers is None:
        from vigil.api.operations.registry import HANDLERS

        handlers = HANDLERS
    dispatcher = _Dispatcher(services, handlers, request_ids)
    return Starlette(routes=[Route("/{path:path}", dispatcher.endpoint, methods=_METHODS)])


def _retryable(error: BaseException) -> bool:
    if not isinstance(error, ApiError):
        return True
    return error.code in _RETRYABLE or (error.status or 0) >= 500


def _respond(
    request_id: str, status: int, headers: dict[str, str], document: dict[str, Any]
) -> Response:
    headers = {**headers, "x-amzn-RequestId": request_id}
    content = json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(content, status_code=status, headers=headers, media_type="application/json")


def _raw_path(request: Request) -> str:
    raw = request.scope.get("raw_path")
    return raw.decode("latin-1") if raw else str(request.scope["path"])


def _query(request: sigv4.SignedRequest) -> list[tuple[str, str]]:
    return [sigv4.query_pair(item) for item in request.raw_query.split("&") if item]


def _shown(request: sigv4.SignedRequest) -> str:
    return request.raw_path if len(request.raw_path) <= 200 else request.raw_path[:200] + "…"
