"""Stored documents fitted to a botocore output shape before the framework writes them.

Findings and filter criteria are kept as JSON documents: timestamps in them are epoch seconds
(or ISO text), and findings carry Vigil's own ``vigil`` extension beside the modeled members.
The output serialiser is strict (an unknown member or a number where a timestamp belongs is a
handler bug), so documents pass through :func:`conform` first: members the shape does not model
are left out, and timestamps become datetimes. Everything else is left for the serialiser to
check.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from vigil.api.models import Shape


def conform(value: Any, shape: Shape) -> Any:
    kind = shape.type_name
    if value is None:
        return None
    if kind == "structure" and not shape.is_document_type and isinstance(value, dict):
        return {
            name: conform(item, shape.members[name])
            for name, item in value.items()
            if name in shape.members
        }
    if kind == "list" and isinstance(value, list | tuple):
        return [conform(item, shape.member) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: conform(item, shape.value) for key, item in value.items()}
    if kind == "timestamp":
        return _moment(value)
    return value


def member_shape(shape: Shape, *path: str) -> Shape:
    """The shape reached by following member names (``member`` steps into a list)."""
    for name in path:
        shape = shape.member if name == "member" else shape.members[name]
    return shape


def _moment(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return value
