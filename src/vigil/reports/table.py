"""The terminal report: findings grouped by severity, one row per vulnerable package.

Made for a person reading a CI log or a terminal 80 columns wide: the columns are the ones a
decision needs (what, where, what to upgrade to, whether it is exploited), long cells wrap
instead of widening the table, and the totals close the report.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from vigil.domain import Severity
from vigil.reports.context import ReportContext
from vigil.reports.finding_view import FindingView, PackageView, read_finding
from vigil.reports.summary import SEVERITY_ORDER, printable, summary_line

NONE = "—"
_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFORMATIONAL: "blue",
    Severity.UNTRIAGED: "magenta",
}
_FIX_WORDS = {"fixed": "fixed", "no fix": "none", "will not fix": "wontfix"}


def render_table(findings: Sequence[Mapping[str, Any]], context: ReportContext) -> bytes:
    views = [read_finding(finding) for finding in findings]
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=context.width,
        force_terminal=context.color,
        no_color=not context.color,
        color_system="standard" if context.color else None,
        highlight=False,
        emoji=False,
        markup=False,
        legacy_windows=False,
    )
    if views:
        console.print(_table(views))
    else:
        console.print(f"No vulnerabilities found in {printable(context.target)}.")
    console.print(Text("Total: " + summary_line((v.severity for v in views), context.ignored)))
    return buffer.getvalue().encode()


def _table(views: Sequence[FindingView]) -> Table:
    # One table, so that columns line up across severities; a labelled row opens each group.
    table = Table(box=None, pad_edge=False, padding=(0, 1, 0, 0), header_style="bold")
    table.add_column("Vulnerability", no_wrap=True)
    table.add_column("Package", overflow="fold")
    table.add_column("Installed", overflow="fold")
    table.add_column("Fixed in", overflow="fold")
    table.add_column("Fix", no_wrap=True)
    table.add_column("EPSS", justify="right", no_wrap=True)
    table.add_column("KEV", no_wrap=True)
    for severity in SEVERITY_ORDER:
        group = [view for view in views if view.severity is severity]
        if not group:
            continue
        table.add_row(Text(f"{severity.value} ({len(group)})", style=_STYLE[severity]))
        for view in group:
            _add_rows(table, view)
    return table


def _add_rows(table: Table, view: FindingView) -> None:
    """One row per vulnerable package; the vulnerability's own cells only on the first."""
    for index, package in enumerate(view.packages or (None,)):
        first = index == 0
        table.add_row(
            Text(printable(view.vulnerability_id) if first else ""),
            *_package_cells(package),
            Text(_epss(view.epss) if first else ""),
            Text("yes" if first and view.known_exploited else ""),
        )


def _package_cells(package: PackageView | None) -> tuple[Text, Text, Text, Text]:
    if package is None:
        return Text("?"), Text("?"), Text(NONE), Text("")
    fixed = package.fixed_in if package.fixed_in is not None else NONE
    return (
        Text(printable(package.name)),
        Text(printable(package.version)),
        Text(printable(fixed)),
        Text(_FIX_WORDS[package.fix_state]),
    )


def _epss(score: float | None) -> str:
    return NONE if score is None else f"{score:.3f}"
