"""Service refusals answered as the operation's modeled errors.

``BadRequestException`` is modeled by CreateFilter (and TagResource) only; elsewhere the same
refusal is a ValidationException, the error every one of these operations models.
"""

from __future__ import annotations

import functools
from typing import Any

from vigil.api.context import Handler, RequestContext
from vigil.api.errors import ApiError, access_denied, resource_not_found, validation_error
from vigil.service.request_errors import BadRequest, Denied, InvalidParameter, NotFound

_BAD_REQUEST_MODELED = frozenset({"CreateFilter", "TagResource"})


def answering_refusals(handler: Handler) -> Handler:
    """``handler`` with the service's refusals turned into ApiErrors."""

    @functools.wraps(handler)
    def wrapped(ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return handler(ctx, params)
        except InvalidParameter as refused:
            fields = [{"name": refused.field, "message": refused.detail}]
            raise validation_error(refused.message, fields=fields) from None
        except BadRequest as refused:
            if ctx.operation in _BAD_REQUEST_MODELED:
                raise ApiError("BadRequestException", refused.message) from None
            raise validation_error(refused.message) from None
        except NotFound as refused:
            raise resource_not_found(refused.message) from None
        except Denied as refused:
            raise access_denied(refused.message) from None

    return wrapped
