"""What ``vigil scan`` says on stderr besides the report: warnings in a bounded summary, what the
ignore file did, and why the build fails."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import click

from vigil.cli import display
from vigil.domain import Inventory
from vigil.service.scan import MatchWarning
from vigil.service.scan_ignore import IgnoredFinding, IgnoreRule

MAX_MATCH_WARNING_LINES = 10


def _say(kind: str, message: str) -> None:
    click.echo(f"vigil: {kind}: {message}", err=True)


def inventory_warnings(inventory: Inventory) -> None:
    display.warnings(
        inventory.warnings, where_all=f"{len(inventory.warnings)} in all; `vigil sbom` lists them"
    )


def match_warnings(found: Sequence[MatchWarning]) -> None:
    """Packages no advisory could be decided for: never silent, but a few lines, not hundreds."""
    for warning in found[:MAX_MATCH_WARNING_LINES]:
        record = f" ({warning.record_id})" if warning.record_id else ""
        _say(
            "warning",
            f"{warning.ecosystem} {warning.package} {warning.version}: not decided{record}: "
            f"{warning.reason}",
        )
    if len(found) > MAX_MATCH_WARNING_LINES:
        by_ecosystem = Counter(w.ecosystem for w in found[MAX_MATCH_WARNING_LINES:])
        counts = ", ".join(f"{n} {eco}" for eco, n in sorted(by_ecosystem.items()))
        _say("warning", f"{len(found) - MAX_MATCH_WARNING_LINES} more undecided matches ({counts})")


def expired_rules(path: str, rules: Sequence[IgnoreRule]) -> None:
    for rule in rules:
        _say(
            "warning",
            f"{path}: entry {rule.entry} ({rule.id}) expired on {rule.expires} and no longer "
            "applies",
        )


def ignored(path: str, found: Sequence[IgnoredFinding]) -> None:
    for item in found:
        entries = ", ".join(str(rule.entry) for rule in item.rules)
        reasons = "; ".join(dict.fromkeys(r.reason for r in item.rules if r.reason))
        because = f": {reasons}" if reasons else ""
        _say("note", f"{item.finding.vulnerability_id} ignored by {path} entry {entries}{because}")
