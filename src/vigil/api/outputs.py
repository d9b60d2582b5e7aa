"""A handler's result, written as the operation's output shape says.

Only modeled members are written; a member the shape does not know, or a required member left
out, is a bug in the handler and raises :class:`OutputShapeError` (the request then fails as an
InternalServerException, and tests fail loudly). ``None`` means absent. Timestamps become epoch
seconds (a JSON number), or ISO 8601 text where the shape asks for ``iso8601``; blobs become
base64; documents pass through as JSON values.
"""

from __future__ import annotations

import base64
import math
from datetime import UTC, datetime
from typing import Any

from vigil.api.models import OperationModel, Shape


class OutputShapeError(Exception):
    """A handler returned something its operation's output shape does not allow."""


def serialize_output(
    operation: OperationModel, result: dict[str, Any] | None
) -> tuple[int, dict[str, str], dict[str, Any]]:
    """(status, headers, body) for a handler's result."""
    status = int(operation.http.get("responseCode", 200))
    shape = operation.output_shape
    if shape is None:
        if result:
            raise OutputShapeError(f"{operation.name} has no output, got {sorted(result)}")
        return status, {}, {}
    headers: dict[str, str] = {}
    body: dict[str, Any] = {}
    written = _structure(result or {}, shape, operation.name)
    for name, value in written.items():
        member = shape.members[name]
        location = member.serialization.get("location")
        if location == "header":
            headers[member.serialization.get("name", name)] = _header_text(value)
        elif location == "statusCode":
            status = int(value)
        else:
            body[member.serialization.get("name", name)] = value
    return status, headers, body


def _structure(value: Any, shape: Shape, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise OutputShapeError(f"{path}: {shape.name} is an object, got {type(value).__name__}")
    unknown = sorted(set(value) - set(shape.members))
    if unknown:
        raise OutputShapeError(f"{path}: {shape.name} has no member {', '.join(unknown)}")
    written = {
        name: _value(item, shape.members[name], f"{path}.{name}")
        for name, item in value.items()
        if item is not None
    }
    missing = [name for name in shape.required_members if name not in written]
    if missing:
        raise OutputShapeError(f"{path}: {shape.name} requires {', '.join(missing)}")
    return written


def _value(value: Any, shape: Shape, path: str) -> Any:
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        return _structure(value, shape, path)
    if kind == "list":
        if not isinstance(value, list | tuple):
            raise OutputShapeError(f"{path}: {shape.name} is a list")
        return [_value(item, shape.member, f"{path}[{i}]") for i, item in enumerate(value)]
    if kind == "map":
        if not isinstance(value, dict):
            raise OutputShapeError(f"{path}: {shape.name} is a map")
        return {str(k): _value(v, shape.value, f"{path}.{k}") for k, v in value.items()}
    if kind == "timestamp":
        return _timestamp(value, shape, path)
    if kind == "blob":
        return base64.b64encode(value).decode() if isinstance(value, bytes) else value
    _check_scalar(value, kind, path)
    return value


_SCALARS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "double": (int, float),
    "float": (int, float),
}


def _check_scalar(value: Any, kind: str, path: str) -> None:
    allowed = _SCALARS.get(kind)
    if allowed is None:
        return
    wrong_bool = kind != "boolean" and isinstance(value, bool)
    if wrong_bool or not isinstance(value, allowed):
        raise OutputShapeError(f"{path}: expected {kind}, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise OutputShapeError(f"{path}: {value} cannot be written as JSON")


def _timestamp(value: Any, shape: Shape, path: str) -> Any:
    if not isinstance(value, datetime):
        raise OutputShapeError(f"{path}: expected a datetime, got {type(value).__name__}")
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if shape.serialization.get("timestampFormat") == "iso8601":
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    seconds = moment.timestamp()
    return int(seconds) if seconds == int(seconds) else round(seconds, 3)


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
