"""The report formats ``vigil scan --format`` offers, by name (an explicit list)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from vigil.reports.context import ReportContext
from vigil.reports.json_report import render_json
from vigil.reports.sarif import render_sarif
from vigil.reports.table import render_table
from vigil.reports.vex import render_vex

Renderer = Callable[[Sequence[Mapping[str, Any]], ReportContext], bytes]

RENDERERS: dict[str, Renderer] = {
    "table": render_table,
    "json": render_json,
    "sarif": render_sarif,
    "cyclonedx-vex": render_vex,
}
DEFAULT_FORMAT = "table"
FORMAT_NAMES = tuple(RENDERERS)


def render(name: str, findings: Sequence[Mapping[str, Any]], context: ReportContext) -> bytes:
    try:
        renderer = RENDERERS[name]
    except KeyError:
        raise ValueError(f"unknown report format {name!r}; choose one of {FORMAT_NAMES}") from None
    return renderer(findings, context)
