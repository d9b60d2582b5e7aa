"""``vigil vuln show ID``: one vulnerability from the local advisory store, offline.

Exit codes: 0 shown; 1 the store knows no such id, or there is no store; 2 a usage error.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from vigil.cli.db_options import fail, guarded, store_options
from vigil.service.advisory_bundle import StoreError
from vigil.service.vuln_report import VulnerabilityReport, vulnerability


@click.group("vuln")
def vuln() -> None:
    """Vulnerabilities in the local advisory store."""


@vuln.command("show")
@click.argument("identifier", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="Print the vulnerability as JSON.")
@store_options
@guarded
def show_command(store: Path, identifier: str, as_json: bool) -> None:
    """Show a vulnerability by any of its ids (CVE, GHSA, PYSEC, GO, DSA, ALPINE…)."""
    try:
        found = vulnerability(store, identifier)
    except StoreError as exc:
        fail(f"{exc} (run `vigil db sync`, or `vigil db import` a bundle)")
    if found is None:
        fail(f"{identifier}: no such vulnerability in {store}")
    if as_json:
        click.echo(json.dumps(found.to_json(), indent=2))
    else:
        render(found, Console(highlight=False))


def render(report: VulnerabilityReport, console: Console) -> None:
    console.print(
        f"[bold]{report.id}[/]" + (f"  ({report.nvd_status})" if report.nvd_status else "")
    )
    if report.summary:
        console.print(report.summary)
    facts = [
        ("aliases", ", ".join(report.aliases)),
        ("records", ", ".join(report.records)),
        ("withdrawn", ", ".join(report.withdrawn)),
        ("fixes CVEs", ", ".join(report.covers)),
        ("fixed in", ", ".join(report.covered_by)),
        ("related", ", ".join(report.related)),
        ("CWE", ", ".join(report.cwes)),
        ("published", report.published or ""),
        ("modified", report.modified or ""),
    ]
    if report.epss is not None:
        epss = report.epss
        facts.append(
            ("EPSS", f"{epss.score:.5f} (percentile {epss.percentile:.5f}, {epss.scored_on})")
        )
    if report.kev is not None:
        kev = report.kev
        due = f", due {kev.due_date}" if kev.due_date else ""
        facts.append(("KEV", f"known exploited: added {kev.date_added}{due}"))
        facts.append(("required action", kev.required_action))
        if kev.ransomware == "Known":
            facts.append(("ransomware", "known use in ransomware campaigns"))
    elif report.id.startswith("CVE-"):
        facts.append(("KEV", "not in CISA's catalog"))
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    for name, value in facts:
        if value:
            table.add_row(name, value)
    console.print(table)
    _cvss(report, console)
    _affected(report, console)


def _cvss(report: VulnerabilityReport, console: Console) -> None:
    if not report.cvss:
        return
    table = Table(title="CVSS", title_justify="left")
    table.add_column("version")
    table.add_column("score", justify="right")
    table.add_column("severity")
    table.add_column("vector", overflow="fold")
    table.add_column("source")
    for row in report.cvss:
        score = f"{row.base_score:.1f}" if row.base_score is not None else "?"
        if row.stated_score is not None and row.stated_score != row.base_score:
            score += f" (stated {row.stated_score:.1f})"
        table.add_row(
            row.version or "?",
            score,
            row.severity or (row.error or ""),
            row.vector,
            row.source,
        )
    console.print(table)


def _affected(report: VulnerabilityReport, console: Console) -> None:
    if not report.affected:
        console.print("No affected packages recorded.")
        return
    table = Table(title="Affected packages", title_justify="left")
    for column in ("ecosystem", "package", "affected", "fixed", "record"):
        table.add_column(column)
    for entry in report.affected:
        spans = [i for r in entry.ranges if r.type != "GIT" for i in r.intervals]
        if entry.versions:
            spans.append(f"{entry.versions} listed versions")
        record = entry.record + (" (bundle)" if entry.via_bundle else "")
        record += " (withdrawn)" if entry.withdrawn else ""
        table.add_row(
            entry.ecosystem,
            entry.name,
            "; ".join(spans) or "-",
            ", ".join(entry.fixed) or "not fixed",
            record,
        )
    console.print(table)
