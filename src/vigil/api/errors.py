"""Errors as botocore parses them from a rest-json service.

botocore takes the error code from the ``x-amzn-ErrorType`` header (else the body's ``__type``),
the message from the body's ``message``, and the modeled members of the error shape from the
body, or from a header where the shape says so (``retryAfterSeconds`` ← ``Retry-After``). Vigil
sends the code both ways, and the status code the service model gives the error shape.

Authentication errors are not in the models; their codes and statuses are the ones AWS's own
front ends send (``InvalidSignatureException`` 403 and so on), so that botocore raises a
``ClientError`` with the same code it would against AWS.
"""

from __future__ import annotations

from typing import Any

from vigil.api.models import BotocoreServiceModel

# How Vigil answers an operation that the model defines and Vigil does not serve yet: every
# inspector2 operation but one models ValidationException (reason OTHER); the one that does not,
# GetEc2DeepInspectionConfiguration, models AccessDeniedException.
NOT_IMPLEMENTED_MESSAGE = "Vigil does not implement {operation}"


class ApiError(Exception):
    """An answer other than success; ``members`` are the error shape's other modeled fields."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        status: int | None = None,
        members: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.members = dict(members or {})
        self.headers = dict(headers or {})


def validation_error(
    message: str,
    reason: str = "FIELD_VALIDATION_FAILED",
    fields: list[dict[str, str]] | None = None,
) -> ApiError:
    members: dict[str, Any] = {"reason": reason}
    if fields:
        members["fields"] = fields
    return ApiError("ValidationException", message, members=members)


def access_denied(message: str) -> ApiError:
    return ApiError("AccessDeniedException", message)


def resource_not_found(message: str) -> ApiError:
    return ApiError("ResourceNotFoundException", message)


def internal_error(request_id: str) -> ApiError:
    return ApiError(
        "InternalServerException",
        f"Vigil could not complete the request; quote request id {request_id} to the operator",
    )


def not_implemented(operation: Any) -> ApiError:
    message = NOT_IMPLEMENTED_MESSAGE.format(operation=operation.name)
    modeled = {shape.name for shape in operation.error_shapes}
    if "ValidationException" in modeled or "AccessDeniedException" not in modeled:
        return validation_error(message, reason="OTHER")
    return access_denied(message)


def auth_error(code: str, message: str, status: int = 403) -> ApiError:
    return ApiError(code, message, status=status)


def render(
    error: ApiError, service: BotocoreServiceModel | None
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """(status, headers, JSON body) for ``error`` as ``service`` models it."""
    status, body, headers = error.status or 400, dict(error.members), dict(error.headers)
    shape = _error_shape(service, error.code)
    if shape is not None:
        status = error.status or int(shape.metadata["error"]["httpStatusCode"])
        if "reason" in shape.required_members and "reason" not in body:
            body["reason"] = "OTHER"  # inspector-scan requires a reason on every server error
        for name, member in shape.members.items():
            location = member.serialization.get("location")
            if location == "header" and name in body:
                headers[member.serialization.get("name", name)] = str(body.pop(name))
    headers["x-amzn-ErrorType"] = error.code
    return status, headers, {"__type": error.code, "message": error.message, **body}


def _error_shape(service: BotocoreServiceModel | None, code: str) -> Any:
    if service is None:
        return None
    for shape in service.error_shapes:
        if shape.name == code:
            return shape
    return None
