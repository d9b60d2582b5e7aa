"""How ``vigil db`` shows results: sync and build summaries, the store's status."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import click
from rich.console import Console
from rich.table import Table

from vigil.cli.db_progress import outcome_text
from vigil.service.advisory_status import DatabaseStatus
from vigil.service.advisory_sync import SourceOutcome

MAX_FAILURE_LINES = 20


def outcomes(found: Sequence[SourceOutcome]) -> None:
    """One line per source on stdout; malformed records and errors on stderr."""
    width = max((len(o.source) for o in found), default=0)
    for outcome in found:
        click.echo(f"{outcome.source:<{width}}  {outcome_text(outcome)}")
    for outcome in found:
        for failure in outcome.failures[:MAX_FAILURE_LINES]:
            click.echo(f"vigil: warning: {outcome.source}: malformed record {failure}", err=True)
        hidden = outcome.failure_count - min(len(outcome.failures), MAX_FAILURE_LINES)
        if hidden > 0:
            click.echo(
                f"vigil: warning: {outcome.source}: {hidden} more malformed records "
                "(all are listed by --json)",
                err=True,
            )
        if outcome.error is not None:
            click.echo(f"vigil: error: {outcome.source}: {outcome.error}", err=True)


def age(delta: timedelta | None) -> str:
    if delta is None:
        return "never"
    seconds = int(delta.total_seconds())
    if seconds < 0:
        return "in the future"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def status(found: DatabaseStatus) -> None:
    console = Console(highlight=False)
    console.print(f"Advisory store  {found.path}  ({found.size / 1024**2:.1f} MiB)")
    console.print(f"Schema version  {found.schema_version}")
    built = found.built_at.isoformat() if found.built_at else "never"
    console.print(f"Built           {built}")
    console.print(f"Records         {found.records:,} ({found.withdrawn:,} withdrawn)")
    sources = Table(title="Sources", title_justify="left")
    for column in ("source", "records", "last sync", "last check", "watermark", ""):
        sources.add_column(column, justify="right" if column == "records" else "left")
    for source in found.sources:
        sources.add_row(
            source.name,
            f"{source.records:,}",
            source.synced_at.strftime("%Y-%m-%d %H:%M") if source.synced_at else "never",
            age(source.age),
            (source.watermark or "")[:16].replace("T", " "),
            "[yellow]stale[/]" if source.stale else "",
        )
    console.print(sources)
    ecosystems = Table(title="Records per ecosystem", title_justify="left")
    ecosystems.add_column("ecosystem")
    ecosystems.add_column("records", justify="right")
    for name, count in found.ecosystems:
        ecosystems.add_row(name, f"{count:,}")
    console.print(ecosystems)


def staleness(found: DatabaseStatus) -> str | None:
    """The warning to print, or None when the store is fresh."""
    limit = age(found.max_age).removesuffix(" ago")
    if not found.sources:
        return "the advisory store is empty: run `vigil db sync` or `vigil db import`"
    if found.stale:
        names = ", ".join(found.stale_sources)
        return (
            f"the advisory store is stale: not checked within {limit}: {names} "
            "(run `vigil db sync`, or import a newer bundle)"
        )
    return None
