"""FilterCriteria evaluated in memory: the reference semantics of Vigil's finding filters.

The SQL path (``vigil.db.finding_query``) must agree with ``matches`` on every finding; tests
check that on generated findings and criteria. How filters combine is described in
``vigil.domain.filter_criteria``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from vigil.domain.filter_criteria import FilterCriteria, parse_filter_criteria
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
    StringFilter,
)
from vigil.domain.resource import Resource

__all__ = [
    "CriteriaError",
    "FilterCriteria",
    "Suppressor",
    "finding_view",
    "matches",
    "parse_filter_criteria",
]


def resource_document(resource: Resource | Mapping[str, Any]) -> dict[str, Any]:
    """An Inspector ``Resource`` object for a stored resource."""
    if isinstance(resource, Mapping):
        return dict(resource)
    return {
        "type": resource.resource_type.value,
        "id": resource.resource_id,
        "partition": resource.partition,
        "region": resource.region,
        "tags": dict(resource.tags),
        "details": dict(resource.details),
    }


def finding_view(
    document: Mapping[str, Any],
    resource: Resource | Mapping[str, Any] | None = None,
    state: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The finding as filters see it: the stored document, its resource and its state keys."""
    view = dict(document)
    if resource is not None:
        view["resources"] = [resource_document(resource)]
        if isinstance(resource, Resource):
            view.setdefault("awsAccountId", resource.account_id)
    if state:
        view.update(state)
    return view


def matches(
    criteria: FilterCriteria,
    finding_document: Mapping[str, Any],
    resource: Resource | Mapping[str, Any] | None = None,
) -> bool:
    """Whether a finding satisfies the criteria (every key's filters; see the module docs)."""
    finding = finding_view(finding_document, resource)
    for key, filters in criteria.entries:
        field = FIELDS[key]
        values = list(_walk(finding, field.path))
        if not _key_holds(field.kind, filters, values):
            return False
    return True


class Suppressor:
    """Which SUPPRESS rules match a new finding: the callable reconcile is given.

    Built from the rules that apply to the resource's account (the caller selects them: the
    owner's own rules, or its delegated administrator's). A rule's ``findingStatus`` filter sees a
    new finding as ACTIVE, its status before any rule applies.
    """

    def __init__(self, rules: Iterable[tuple[int, FilterCriteria]]) -> None:
        self._rules = tuple(rules)

    def __call__(
        self, document: Mapping[str, Any], resource: Resource | Mapping[str, Any] | None = None
    ) -> frozenset[int]:
        view = finding_view(document, resource)
        view.setdefault("status", "ACTIVE")
        return frozenset(rule_id for rule_id, criteria in self._rules if matches(criteria, view))

    def __bool__(self) -> bool:
        return bool(self._rules)


def _walk(node: Any, path: tuple[str, ...]) -> Iterator[Any]:
    if not path:
        if node is not None:
            yield node
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(node, list | tuple):
            for item in node:
                yield from _walk(item, rest)
    elif isinstance(node, Mapping) and head in node:
        yield from _walk(node[head], rest)


def _key_holds(kind: FieldKind, filters: tuple[Filter, ...], raw: list[Any]) -> bool:
    if kind is FieldKind.STRING:
        strings = [v for v in raw if isinstance(v, str)]
        return _strings_hold([f for f in filters if isinstance(f, StringFilter)], strings)
    if kind is FieldKind.DATE:
        dates = [d for d in map(as_datetime, raw) if d is not None]
        return any(f.accepts(d) for f in filters if isinstance(f, DateFilter) for d in dates)
    if kind is FieldKind.NUMBER:
        numbers = [n for n in map(as_number, raw) if n is not None]
        return any(f.accepts(n) for f in filters if isinstance(f, NumberFilter) for n in numbers)
    if kind is FieldKind.MAP:
        maps = [v for v in raw if isinstance(v, Mapping)]
        return any(f.accepts(dict(m)) for f in filters if isinstance(f, MapFilter) for m in maps)
    if kind is FieldKind.PORT_RANGE:
        ranges = [r for r in map(_port_range, raw) if r is not None]
        return any(f.accepts(*r) for f in filters if isinstance(f, PortRangeFilter) for r in ranges)
    packages = [p for p in raw if isinstance(p, Mapping)]
    return any(
        package_matches(f, p) for f in filters if isinstance(f, PackageFilter) for p in packages
    )


def _strings_hold(filters: list[StringFilter], values: list[str]) -> bool:
    positives = [f for f in filters if not f.negative]
    if positives and not any(f.accepts(v) for f in positives for v in values):
        return False
    return all(v != f.value for f in filters if f.negative for v in values)


def package_matches(flt: PackageFilter, package: Mapping[str, Any]) -> bool:
    """All of a PackageFilter's members hold for this one vulnerable package."""
    for member, sf in flt.strings:
        value = package.get(PACKAGE_STRING_MEMBERS[member])
        present = [value] if isinstance(value, str) else []
        if not _strings_hold([sf], present):
            return False
    if flt.epoch is not None:
        epoch = as_number(package.get("epoch"))
        if epoch is None or not flt.epoch.accepts(epoch):
            return False
    return True


def as_datetime(value: Any) -> datetime | None:
    """A timestamp as documents hold it: aware datetime, epoch seconds, or ISO 8601 text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            return as_datetime(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _port_range(value: Any) -> tuple[int, int] | None:
    if not isinstance(value, Mapping):
        return None
    begin, end = value.get("begin"), value.get("end")
    if isinstance(begin, int) and isinstance(end, int):
        return begin, end
    return None
