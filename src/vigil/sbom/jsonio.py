"""Bounded JSON reading and compact writing, shared by every SBOM format.

SBOMs come from outside (``vigil scan --sbom``, the ScanSbom API), so reading is bounded in size
and nesting, and problems surface as ``InvalidSbom`` rather than as whatever ``json`` raises.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# A syft CycloneDX document of a large image (CPE-heavy, ~1.3 KB per component) stays well
# under this; beyond it the parsed tree alone would take gigabytes of memory.
MAX_SBOM_BYTES = 128 * 1024 * 1024
# Components (or SPDX packages) one document may list; each costs memory and a warning at most.
MAX_ELEMENTS = 500_000


class InvalidSbom(ValueError):
    """A document that cannot be read as an SBOM at all: too large, not JSON, unknown format."""


def load_json(data: bytes | str, *, limit: int = MAX_SBOM_BYTES) -> Any:
    """Parse ``data`` (at most ``limit`` bytes or characters) as JSON."""
    if len(data) > limit:
        raise InvalidSbom(f"document is {len(data)} bytes; the limit is {limit}")
    if isinstance(data, str):
        # json.loads accepts a byte order mark in bytes but not in text.
        data = data.removeprefix("\ufeff")
    try:
        return json.loads(data)
    except RecursionError:
        raise InvalidSbom("document is nested too deeply to be an SBOM") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidSbom(f"not valid JSON: {exc}") from None


def dump_json(document: Mapping[str, Any]) -> bytes:
    """Compact UTF-8 JSON. Indentation would switch ``json`` to its slow pure-Python encoder."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def text(value: Any) -> str | None:
    """``value`` if it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


# Parsed JSON objects are dicts; checking for dict rather than Mapping avoids the ABC machinery,
# which showed up when profiling documents with 10,000 components.
def objects(value: Any) -> list[dict[str, Any]]:
    """The JSON objects in ``value`` if it is an array; anything else counts as empty."""
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
