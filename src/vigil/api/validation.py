"""Input validation against the operation's input shape.

botocore's own ``ParamValidator`` checks what a client would check: required members, unknown
members, types, minimum lengths and values. The model also states enums and maximums, which
botocore leaves to the service; those are checked here from the same shape metadata. Unknown
members are refused rather than ignored: a filter key Vigil does not know must not silently
widen a query. Every problem becomes one entry of ``ValidationException.fields``.
"""

from __future__ import annotations

import math
from typing import Any

from botocore.validate import ParamValidator

from vigil.api.errors import validation_error
from vigil.api.models import Shape

Fields = list[dict[str, str]]
_NUMBERS = ("integer", "long", "double", "float")


def validate(params: dict[str, Any], shape: Shape | None) -> None:
    """Raise a ValidationException listing every problem of ``params``; silent when valid."""
    if shape is None:
        return
    fields = _botocore_fields(params, shape)
    _constraints(params, shape, "", fields)
    if fields:
        summary = "; ".join(f"{f['name']}: {f['message']}" for f in fields[:3])
        more = f" (and {len(fields) - 3} more)" if len(fields) > 3 else ""
        raise validation_error(f"Invalid request parameters: {summary}{more}", fields=fields)


def _botocore_fields(params: dict[str, Any], shape: Shape) -> Fields:
    report = ParamValidator().validate(params, shape)
    fields: Fields = []
    # botocore keeps its findings as (reason, dotted name, details) and formats them one by one.
    for error in report._errors:
        reason, name, details = error
        message = report._format_error(error)
        name = name.lstrip(".")
        if reason == "missing required field":
            name = f"{name}.{details['required_name']}" if name else details["required_name"]
        elif reason == "unknown field":
            name = f"{name}.{details['unknown_param']}" if name else details["unknown_param"]
        fields.append({"name": name or "input", "message": str(message)})
    return fields


def _constraints(value: Any, shape: Shape, path: str, fields: Fields) -> None:
    kind, meta = shape.type_name, shape.metadata
    if kind == "structure" and isinstance(value, dict):
        if shape.is_document_type:
            return
        for name, member in shape.members.items():
            if value.get(name) is not None:
                _constraints(value[name], member, _join(path, name), fields)
    elif kind == "list" and isinstance(value, list | tuple):
        _count(len(value), meta, path, fields, check_min=False)
        for index, item in enumerate(value):
            _constraints(item, shape.member, f"{path}[{index}]", fields)
    elif kind == "map" and isinstance(value, dict):
        _count(len(value), meta, path, fields, check_min=True)
        for key, item in value.items():
            _constraints(key, shape.key, f"{path} (key: {key})", fields)
            _constraints(item, shape.value, f"{path}.{key}", fields)
    elif kind == "string" and isinstance(value, str):
        enum = meta.get("enum")
        if enum and value not in enum:
            fields.append(
                {
                    "name": path,
                    "message": f"Value '{value}' failed to satisfy constraint: "
                    f"Member must satisfy enum value set: [{', '.join(enum)}]",
                }
            )
        if "max" in meta and len(value) > meta["max"]:
            _too_big(path, fields, "length", meta["max"])
    elif kind in _NUMBERS:
        if isinstance(value, bool):
            fields.append({"name": path, "message": f"Member must be of type {kind}"})
        elif isinstance(value, float) and not math.isfinite(value):
            fields.append({"name": path, "message": "Member must be a finite number"})
        elif isinstance(value, int | float) and "max" in meta and value > meta["max"]:
            _too_big(path, fields, "value", meta["max"])


def _count(size: int, meta: dict[str, Any], path: str, fields: Fields, *, check_min: bool) -> None:
    # botocore checks the minimum size of a list itself, not of a map.
    if check_min and "min" in meta and size < meta["min"]:
        fields.append(
            {
                "name": path,
                "message": f"Member must have length greater than or equal to {meta['min']}",
            }
        )
    if "max" in meta and size > meta["max"]:
        _too_big(path, fields, "length", meta["max"])


def _too_big(path: str, fields: Fields, what: str, limit: Any) -> None:
    fields.append(
        {"name": path, "message": f"Member must have {what} less than or equal to {limit}"}
    )


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
