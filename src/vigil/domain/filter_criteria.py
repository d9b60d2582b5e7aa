"""Inspector's FilterCriteria, parsed from its wire form and checked against the model's bounds.

How filters combine (AWS documents this for Security Hub's filters of the same shape, and
Inspector's console behaves so): filters under different keys are AND-ed; under one key, the
positive ones (EQUALS, PREFIX, date/number/port ranges, map and package filters) are OR-ed, and
every NOT_EQUALS must hold as well. Comparisons are case-sensitive. A finding without a value for
a key matches none of that key's positive filters and every NOT_EQUALS.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vigil.domain.filter_fields import FIELDS, FieldKind
from vigil.domain.filter_values import (
    PACKAGE_STRING_MEMBERS,
    CriteriaError,
    DateFilter,
    Filter,
    MapFilter,
    NumberFilter,
    PackageFilter,
    PortRangeFilter,
    StringComparison,
    StringFilter,
)

MAX_FILTERS_PER_KEY = 10
ALL_STRING_COMPARISONS = frozenset(StringComparison)


@dataclass(frozen=True, slots=True)
class FilterCriteria:
    """Parsed criteria: key -> its filters, keys in sorted order (the canonical form)."""

    entries: tuple[tuple[str, tuple[Filter, ...]], ...] = ()

    def get(self, key: str) -> tuple[Filter, ...]:
        for name, filters in self.entries:
            if name == key:
                return filters
        return ()

    def __bool__(self) -> bool:
        return bool(self.entries)

    def to_wire(self) -> dict[str, list[dict[str, Any]]]:
        return {name: [f.to_wire() for f in filters] for name, filters in self.entries}

    def digest(self) -> str:
        """sha256 of the canonical wire form: equal criteria, equal digest."""
        text = json.dumps(self.to_wire(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def parse_filter_criteria(wire: object) -> FilterCriteria:
    """Parse a ``FilterCriteria`` document; raises CriteriaError naming the offending field."""
    if wire is None:
        return FilterCriteria()
    if not isinstance(wire, Mapping):
        raise CriteriaError("filterCriteria", "must be an object")
    entries = []
    for key in sorted(wire):
        field = FIELDS.get(key) if isinstance(key, str) else None
        if field is None:
            raise CriteriaError(f"filterCriteria.{key}", "unknown filter criteria key")
        path = f"filterCriteria.{key}"
        items = filter_list(wire[key], path)
        entries.append(
            (key, tuple(_PARSERS[field.kind](item, f"{path}[{i}]") for i, item in items))
        )
    return FilterCriteria(tuple(entries))


def filter_list(value: object, path: str) -> list[tuple[int, object]]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_FILTERS_PER_KEY:
        raise CriteriaError(path, f"must be a list of 1 to {MAX_FILTERS_PER_KEY} filters")
    return list(enumerate(value))


def _members(value: object, path: str, allowed: Iterable[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise CriteriaError(path, "must be an object")
    unknown = set(value) - set(allowed)
    if unknown:
        raise CriteriaError(path, f"unknown member {sorted(map(str, unknown))[0]}")
    return value


def _string(value: object, path: str, low: int, high: int) -> str:
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise CriteriaError(path, f"must be a string of {low} to {high} characters")
    return value


def parse_string_filter(
    value: object,
    path: str,
    comparisons: frozenset[StringComparison] = ALL_STRING_COMPARISONS,
) -> StringFilter:
    body = _members(value, path, ("comparison", "value"))
    raw = body.get("comparison")
    allowed = {c.value: c for c in comparisons}
    if raw not in allowed:
        names = ", ".join(sorted(allowed))
        raise CriteriaError(f"{path}.comparison", f"must be one of {names}")
    return StringFilter(allowed[raw], _string(body.get("value"), f"{path}.value", 1, 1024))


def _timestamp(value: object, path: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise CriteriaError(path, "timestamp needs a time zone")
        return value.astimezone(UTC)
    seconds = _finite(value, path)
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise CriteriaError(path, "timestamp out of range") from exc


def _finite(value: object, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CriteriaError(path, "must be a number")
    number = float(value)
    if not math.isfinite(number):
        raise CriteriaError(path, "must be a finite number")
    return number


def parse_date_filter(value: object, path: str) -> DateFilter:
    body = _members(value, path, ("startInclusive", "endInclusive"))
    return DateFilter(
        _timestamp(body.get("startInclusive"), f"{path}.startInclusive"),
        _timestamp(body.get("endInclusive"), f"{path}.endInclusive"),
    )


def parse_number_filter(value: object, path: str) -> NumberFilter:
    body = _members(value, path, ("lowerInclusive", "upperInclusive"))
    low, high = body.get("lowerInclusive"), body.get("upperInclusive")
    return NumberFilter(
        None if low is None else _finite(low, f"{path}.lowerInclusive"),
        None if high is None else _finite(high, f"{path}.upperInclusive"),
    )


def parse_map_filter(value: object, path: str, value_min: int = 0) -> MapFilter:
    body = _members(value, path, ("comparison", "key", "value"))
    if body.get("comparison") != "EQUALS":
        raise CriteriaError(f"{path}.comparison", "must be EQUALS")
    key = _string(body.get("key"), f"{path}.key", 1, 128)
    raw = body.get("value")
    return MapFilter(key, None if raw is None else _string(raw, f"{path}.value", value_min, 256))


def _port(value: object, path: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 65535:
        raise CriteriaError(path, "must be an integer from 0 to 65535")
    return value


def parse_port_range_filter(value: object, path: str) -> PortRangeFilter:
    body = _members(value, path, ("beginInclusive", "endInclusive"))
    return PortRangeFilter(
        _port(body.get("beginInclusive"), f"{path}.beginInclusive"),
        _port(body.get("endInclusive"), f"{path}.endInclusive"),
    )


def parse_package_filter(value: object, path: str) -> PackageFilter:
    body = _members(value, path, (*PACKAGE_STRING_MEMBERS, "epoch"))
    strings = tuple(
        (name, parse_string_filter(body[name], f"{path}.{name}"))
        for name in sorted(PACKAGE_STRING_MEMBERS)
        if body.get(name) is not None
    )
    epoch = body.get("epoch")
    return PackageFilter(
        strings, None if epoch is None else parse_number_filter(epoch, f"{path}.epoch")
    )


_PARSERS: dict[FieldKind, Callable[[object, str], Filter]] = {
    FieldKind.STRING: parse_string_filter,
    FieldKind.DATE: parse_date_filter,
    FieldKind.NUMBER: parse_number_filter,
    FieldKind.MAP: parse_map_filter,
    FieldKind.PORT_RANGE: parse_port_range_filter,
    FieldKind.PACKAGE: parse_package_filter,
}
