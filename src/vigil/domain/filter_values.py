"""The value types of Inspector's FilterCriteria: one frozen value per filter shape.

Shapes and bounds follow botocore's inspector2 model (StringFilter, DateFilter, NumberFilter,
MapFilter, PortRangeFilter, PackageFilter). Timestamps are held as timezone-aware UTC datetimes;
on the wire they are epoch seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any


class CriteriaError(ValueError):
    """A filter criteria document that does not follow the model; `field` is its path."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class StringComparison(Enum):
    EQUALS = "EQUALS"
    PREFIX = "PREFIX"
    NOT_EQUALS = "NOT_EQUALS"


@dataclass(frozen=True, slots=True)
class StringFilter:
    comparison: StringComparison
    value: str

    @property
    def negative(self) -> bool:
        return self.comparison is StringComparison.NOT_EQUALS

    def accepts(self, candidate: str) -> bool:
        """Whether one value satisfies a positive filter (EQUALS or PREFIX)."""
        if self.comparison is StringComparison.PREFIX:
            return candidate.startswith(self.value)
        return candidate == self.value

    def to_wire(self) -> dict[str, Any]:
        return {"comparison": self.comparison.value, "value": self.value}


@dataclass(frozen=True, slots=True)
class DateFilter:
    start: datetime | None
    end: datetime | None

    def accepts(self, candidate: datetime) -> bool:
        if self.start is not None and candidate < self.start:
            return False
        return self.end is None or candidate <= self.end

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {}
        if self.start is not None:
            wire["startInclusive"] = self.start.timestamp()
        if self.end is not None:
            wire["endInclusive"] = self.end.timestamp()
        return wire


@dataclass(frozen=True, slots=True)
class NumberFilter:
    lower: float | None
    upper: float | None

    def accepts(self, candidate: float) -> bool:
        if self.lower is not None and candidate < self.lower:
            return False
        return self.upper is None or candidate <= self.upper

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {}
        if self.lower is not None:
            wire["lowerInclusive"] = self.lower
        if self.upper is not None:
            wire["upperInclusive"] = self.upper
        return wire


@dataclass(frozen=True, slots=True)
class MapFilter:
    """Only EQUALS exists: the key is present and, when a value is given, has that value."""

    key: str
    value: str | None

    def accepts(self, tags: dict[str, str]) -> bool:
        if self.key not in tags:
            return False
        return self.value is None or tags[self.key] == self.value

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {"comparison": "EQUALS", "key": self.key}
        if self.value is not None:
            wire["value"] = self.value
        return wire


@dataclass(frozen=True, slots=True)
class PortRangeFilter:
    """Matches an open port range that overlaps [begin, end]."""

    begin: int | None
    end: int | None

    def accepts(self, low: int, high: int) -> bool:
        if self.begin is not None and high < self.begin:
            return False
        return self.end is None or low <= self.end

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {}
        if self.begin is not None:
            wire["beginInclusive"] = self.begin
        if self.end is not None:
            wire["endInclusive"] = self.end
        return wire


# PackageFilter member name on the wire -> the VulnerablePackage member it tests.
PACKAGE_STRING_MEMBERS = {
    "name": "name",
    "version": "version",
    "release": "release",
    "architecture": "arch",
    "sourceLayerHash": "sourceLayerHash",
    "sourceLambdaLayerArn": "sourceLambdaLayerArn",
    "filePath": "filePath",
}


@dataclass(frozen=True, slots=True)
class PackageFilter:
    """All given members must hold for the same vulnerable package."""

    strings: tuple[tuple[str, StringFilter], ...]
    epoch: NumberFilter | None

    def to_wire(self) -> dict[str, Any]:
        wire: dict[str, Any] = {name: f.to_wire() for name, f in self.strings}
        if self.epoch is not None:
            wire["epoch"] = self.epoch.to_wire()
        return wire


Filter = StringFilter | DateFilter | NumberFilter | MapFilter | PortRangeFilter | PackageFilter


def utc_from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
