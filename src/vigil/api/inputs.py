"""A request's parameters, gathered where the input shape puts each member.

Members without a ``location`` come from the JSON body (an empty body is ``{}``); ``uri``
members from the path's labels, ``querystring`` members from the query (a list takes every
value of a repeated key), ``header`` members from headers. Timestamps arrive as epoch seconds
(numbers) in JSON bodies and as ISO 8601 text in query strings and headers; both are parsed
into aware datetimes here, before validation. Problems are collected as fields, not raised one
at a time, so a caller learns all of them at once.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from vigil.api.errors import validation_error
from vigil.api.models import OperationModel, Shape

Fields = list[dict[str, str]]


def parse_input(
    operation: OperationModel,
    labels: Mapping[str, str],
    query: Sequence[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        return {}
    fields: Fields = []
    params = _body(shape, body, fields)
    claimed = {
        m.serialization.get("name", n)
        for n, m in shape.members.items()
        if m.serialization.get("location") == "querystring" and m.type_name != "map"
    }
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        if location is None:
            continue
        where = member.serialization.get("name", name)
        if location == "uri" and where in labels:
            params[name] = _scalar(labels[where], member, name, fields)
        elif location == "querystring":
            _from_query(params, name, member, where, query, claimed, fields)
        elif location == "header" and where.lower() in headers:
            params[name] = _scalar(headers[where.lower()], member, name, fields)
        elif location == "headers":
            prefix = where.lower()
            found = {k[len(prefix) :]: v for k, v in headers.items() if k.startswith(prefix)}
            if found:
                params[name] = found
    if fields:
        raise validation_error("Invalid request parameters", fields=fields)
    return params


def parse_timestamp(value: Any) -> datetime:
    """Epoch seconds (number, or text of one) or ISO 8601 text, as an aware UTC datetime."""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a timestamp")
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            parsed = datetime.fromisoformat(value)
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed
    if isinstance(value, int | float) and math.isfinite(value):
        return datetime.fromtimestamp(value, UTC)
    raise ValueError(f"{value!r} is not a timestamp")


def _body(shape: Shape, body: bytes, fields: Fields) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        document = json.loads(body, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise validation_error("The request body is not valid JSON", "CANNOT_PARSE") from None
    if not isinstance(document, dict):
        raise validation_error("The request body is not a JSON object", "CANNOT_PARSE")
    for name, member in shape.members.items():
        if name in document and member.serialization.get("location") is not None:
            fields.append({"name": name, "message": "Member is not accepted in the body"})
    return {k: _timestamps(v, shape.members.get(k), k, fields) for k, v in document.items()}


def _timestamps(value: Any, shape: Shape | None, path: str, fields: Fields) -> Any:
    """``value`` with every timestamp the shape declares parsed (unknown members untouched)."""
    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "timestamp":
        # rest-json bodies carry numbers; ISO text is accepted too, as botocore accepts it.
        try:
            return parse_timestamp(value)
        except (ValueError, OverflowError, OSError):
            fields.append({"name": path, "message": "Member must be a timestamp"})
            return value
    if kind == "structure" and isinstance(value, dict) and not shape.is_document_type:
        return {
            k: _timestamps(v, shape.members.get(k), f"{path}.{k}", fields) for k, v in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [_timestamps(v, shape.member, f"{path}[{i}]", fields) for i, v in enumerate(value)]
    if kind == "map" and isinstance(value, dict):
        return {k: _timestamps(v, shape.value, f"{path}.{k}", fields) for k, v in value.items()}
    return value


def _from_query(
    params: dict[str, Any],
    name: str,
    member: Shape,
    where: str,
    query: Sequence[tuple[str, str]],
    claimed: set[str],
    fields: Fields,
) -> None:
    if member.type_name == "map":
        # A map bound to the query takes every key that no named member claims.
        found = {k: v for k, v in query if k not in claimed}
        if found:
            params[name] = found
        return
    values = [v for k, v in query if k == where]
    if not values:
        return
    if member.type_name == "list":
        params[name] = [
            _scalar(v, member.member, f"{name}[{i}]", fields) for i, v in enumerate(values)
        ]
    else:
        params[name] = _scalar(values[0], member, name, fields)


def _scalar(text: str, shape: Shape, path: str, fields: Fields) -> Any:
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(text)
        if kind in ("double", "float"):
            number = float(text)
            if not math.isfinite(number):
                raise ValueError(text)
            return number
        if kind == "boolean":
            if text not in ("true", "false"):
                raise ValueError(text)
            return text == "true"
        if kind == "timestamp":
            return parse_timestamp(text)
    except (ValueError, OverflowError, OSError):
        fields.append({"name": path, "message": f"Member must be of type {kind}"})
        return text
    return text


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
