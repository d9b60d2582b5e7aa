"""Hypothesis strategies for FilterCriteria whose values come from a dataset (so filters hit)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from hypothesis import strategies as st

from vigil.domain.filter_fields import FIELDS, FieldKind
from vigil.domain.filter_values import PACKAGE_STRING_MEMBERS
from vigil.findings.criteria import as_datetime, as_number


def _walk(node: Any, path: tuple[str, ...]) -> Iterable[Any]:
    if not path:
        if node is not None:
            yield node
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(node, list):
            for item in node:
                yield from _walk(item, rest)
    elif isinstance(node, dict) and head in node:
        yield from _walk(node[head], rest)


def pools(views: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Every value each key takes in the dataset."""
    out: dict[str, list[Any]] = {}
    for name, field in FIELDS.items():
        values = {repr(v): v for view in views for v in _walk(view, field.path)}
        out[name] = list(values.values())
    return out


def _strings(pool: list[Any]) -> st.SearchStrategy[str]:
    texts = sorted({v for v in pool if isinstance(v, str) and v})
    prefixes = sorted({t[: max(1, len(t) // 2)] for t in texts})
    return st.sampled_from([*texts, *prefixes, "zz-none", "Prod"])


def string_filter(pool: list[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"comparison": st.sampled_from(["EQUALS", "PREFIX", "NOT_EQUALS"]), "value": _strings(pool)}
    )


def _bound(values: list[float], jitter: float) -> st.SearchStrategy[float | None]:
    choices = sorted(set(values)) or [0.0]
    return st.one_of(
        st.none(),
        st.sampled_from(choices),
        st.sampled_from(choices).map(lambda v: v + jitter),
        st.sampled_from(choices).map(lambda v: v - jitter),
    )


def number_filter(pool: list[Any]) -> st.SearchStrategy[dict[str, Any]]:
    numbers = [n for n in map(as_number, pool) if n is not None]
    return st.builds(
        _range_wire("lowerInclusive", "upperInclusive"),
        _bound(numbers, 0.01),
        _bound(numbers, 0.01),
    )


def date_filter(pool: list[Any]) -> st.SearchStrategy[dict[str, Any]]:
    stamps = [d.timestamp() for d in map(_stamp, pool) if d is not None]
    return st.builds(
        _range_wire("startInclusive", "endInclusive"), _bound(stamps, 1.0), _bound(stamps, 1.0)
    )


def _stamp(value: Any) -> datetime | None:
    return as_datetime(value)


def _range_wire(low_name: str, high_name: str) -> Any:
    def make(low: float | None, high: float | None) -> dict[str, Any]:
        wire: dict[str, Any] = {}
        if low is not None:
            wire[low_name] = low
        if high is not None:
            wire[high_name] = high
        return wire

    return make


def map_filter(pool: list[Any]) -> st.SearchStrategy[dict[str, Any]]:
    values = sorted({v for tags in pool if isinstance(tags, dict) for v in tags.values()})
    return st.builds(
        lambda key, value: (
            {"comparison": "EQUALS", "key": key} | ({} if value is None else {"value": value})
        ),
        st.sampled_from(["env", "team", "missing"]),
        st.one_of(st.none(), st.sampled_from([*values, "nope"])),
    )


def port_filter() -> st.SearchStrategy[dict[str, Any]]:
    port = st.one_of(st.none(), st.sampled_from([0, 22, 23, 80, 150, 1000, 65535]))
    return st.builds(_range_wire("beginInclusive", "endInclusive"), port, port)


def package_filter(pool: list[Any]) -> st.SearchStrategy[dict[str, Any]]:
    members: dict[str, st.SearchStrategy[dict[str, Any]]] = {}
    for wire_name, doc_name in PACKAGE_STRING_MEMBERS.items():
        values = [p.get(doc_name) for p in pool if isinstance(p, dict)]
        members[wire_name] = string_filter([v for v in values if v is not None] or ["x"])
    epochs = [p.get("epoch") for p in pool if isinstance(p, dict)]
    members["epoch"] = number_filter([e for e in epochs if e is not None])
    return st.fixed_dictionaries({}, optional=members)


def criteria(
    views: list[dict[str, Any]], max_keys: int = 3, exclude: frozenset[str] = frozenset()
) -> st.SearchStrategy[dict[str, Any]]:
    value_pools = {k: v for k, v in pools(views).items() if k not in exclude}

    def filters_for(name: str) -> st.SearchStrategy[list[dict[str, Any]]]:
        kind, pool = FIELDS[name].kind, value_pools[name]
        one = {
            FieldKind.STRING: lambda: string_filter(pool),
            FieldKind.NUMBER: lambda: number_filter(pool),
            FieldKind.DATE: lambda: date_filter(pool),
            FieldKind.MAP: lambda: map_filter(pool),
            FieldKind.PORT_RANGE: port_filter,
            FieldKind.PACKAGE: lambda: package_filter(pool),
        }[kind]()
        return st.lists(one, min_size=1, max_size=3)

    # Mostly keys the dataset has values for; now and then one it never has (cloud*, code*...).
    present = sorted(name for name, pool in value_pools.items() if pool)
    key = st.one_of(*[st.sampled_from(present)] * 6, st.sampled_from(sorted(value_pools)))
    keys = st.lists(key, min_size=0, max_size=max_keys, unique=True)
    return keys.flatmap(
        lambda names: st.fixed_dictionaries({name: filters_for(name) for name in names})
    )
