"""Reading values out of JSON columns the same way on SQLite and PostgreSQL.

Every read checks the JSON type of what it reads, so a string filter never matches a number and a
number filter never compares text (SQLite orders any text above any number); a value of the wrong
type counts as absent, as in the in-memory evaluator.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Float, String, and_, case, cast, exists, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.expression import FromClause

JsonType = str  # "string" or "number": the JSON type a read accepts


def _sqlite_path(path: tuple[str, ...]) -> str:
    # Digits index an array (only the sort on a path's first step uses one).
    return "$" + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in path)


def pg_path(path: tuple[str, ...]) -> Any:
    return literal(list(path), ARRAY(String()))


def only_arrays(dialect: str, node: Any) -> ColumnElement[Any]:
    """``node`` when it is a JSON array, else NULL (iterating a non-array fails on PostgreSQL)."""
    if dialect == "sqlite":
        return case((func.json_type(node) == "array", node), else_=None)
    return case((func.jsonb_typeof(node) == "array", node), else_=None)


def scalar(dialect: str, column: Any, path: tuple[str, ...], want: JsonType) -> ColumnElement[Any]:
    """The value at ``path`` (no ``*``) when it has the wanted JSON type, else NULL."""
    if dialect == "sqlite":
        at = _sqlite_path(path)
        kinds = ("text",) if want == "string" else ("integer", "real")
        value: ColumnElement[Any] = func.json_extract(column, at)
        return case((func.json_type(column, at).in_(kinds), value), else_=None)
    node = column.op("#>")(pg_path(path)) if path else column
    text = column.op("#>>")(pg_path(path)) if path else node.op("#>>")(pg_path(()))
    pg_kind = "string" if want == "string" else "number"
    out = text if want == "string" else cast(text, Float)
    return case((func.jsonb_typeof(node) == pg_kind, out), else_=None)


def elements_exist(
    dialect: str,
    column: Any,
    path: tuple[str, ...],
    inner: tuple[str, ...],
    want: JsonType,
    predicate: Callable[[ColumnElement[Any]], ColumnElement[bool]],
) -> ColumnElement[bool]:
    """EXISTS an element of the array at ``path`` whose value at ``inner`` satisfies predicate."""
    elements, value = _elements(dialect, column, path, inner, want)
    return exists(
        select(literal(1)).select_from(elements).where(and_(value.is_not(None), predicate(value)))
    )


def element_exists(
    dialect: str,
    column: Any,
    path: tuple[str, ...],
    predicate: Callable[[Any], ColumnElement[bool]],
) -> ColumnElement[bool]:
    """EXISTS an element of the array at ``path`` for which ``predicate(element)`` holds; the
    element is a JSON value to read further with ``scalar``."""
    node = column
    if dialect == "sqlite":
        array = only_arrays(dialect, func.json_extract(column, _sqlite_path(path)))
        each = func.json_each(array).table_valued("value").alias()
    else:
        node = column.op("#>")(pg_path(path))
        each = func.jsonb_array_elements(only_arrays(dialect, node)).table_valued("value").alias()
    return exists(select(literal(1)).select_from(each).where(predicate(each.c.value)))


def _elements(
    dialect: str, column: Any, path: tuple[str, ...], inner: tuple[str, ...], want: JsonType
) -> tuple[FromClause, ColumnElement[Any]]:
    if dialect == "sqlite":
        at = _sqlite_path(path)
        array = case((func.json_type(column, at) == "array", column), else_=None)
        each = func.json_each(array, at).table_valued("value", "type").alias()
        if inner:
            return each, scalar(dialect, each.c.value, inner, want)
        kinds = ("text",) if want == "string" else ("integer", "real")
        return each, case((each.c.type.in_(kinds), each.c.value), else_=None)
    node = column.op("#>")(pg_path(path)) if path else column
    array = case((func.jsonb_typeof(node) == "array", node), else_=None)
    each = func.jsonb_array_elements(array).table_valued("value").alias()
    return each, scalar(dialect, each.c.value, inner, want)


def object_entry_exists(
    dialect: str,
    column: Any,
    predicate: Callable[[ColumnElement[Any], ColumnElement[Any]], ColumnElement[bool]],
) -> ColumnElement[bool]:
    """EXISTS a (key, string value) entry of a JSON object satisfying ``predicate(key, value)``."""
    if dialect == "sqlite":
        obj = case((func.json_type(column) == "object", column), else_=None)
        each = func.json_each(obj).table_valued("key", "value", "type").alias()
        text: ColumnElement[Any] = case((each.c.type == "text", each.c.value), else_=None)
        return exists(select(literal(1)).select_from(each).where(predicate(each.c.key, text)))
    obj = case((func.jsonb_typeof(column) == "object", column), else_=None)
    entries = func.jsonb_each(obj).table_valued("key", "value").alias()
    value = scalar(dialect, entries.c.value, (), "string")
    return exists(select(literal(1)).select_from(entries).where(predicate(entries.c.key, value)))
