"""Decoding JSON, TOML and YAML documents, and reading typed fields out of them.

Every failure is ``Malformed`` with a reason precise enough to find the fault in the file.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from typing import Any

import yaml

from vigil.catalog.languages._support import Malformed


def load_json(text: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Malformed(
            f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise Malformed("invalid JSON: nested too deeply") from None


def load_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Malformed(f"invalid TOML: {exc}") from None


def load_yaml(text: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise Malformed(f"invalid YAML{where}: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise Malformed(f"invalid YAML: {exc}") from None


def as_mapping(value: object, what: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise Malformed(f"{what} is not an object")
    return value


def as_list(value: object, what: str) -> list[object]:
    if not isinstance(value, list):
        raise Malformed(f"{what} is not a list")
    return value


def text_field(entry: Mapping[str, object], key: str) -> str | None:
    """A string field, or None when it is absent or of another type."""
    value = entry.get(key)
    return value if isinstance(value, str) and value else None


def mapping_field(entry: Mapping[str, object], key: str) -> Mapping[str, object]:
    """An object field; absent counts as empty, any other type is ``Malformed``."""
    value = entry.get(key)
    if value is None:
        return {}
    return as_mapping(value, f"{key!r}")
