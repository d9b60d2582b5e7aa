"""Progress of ``vigil db sync`` and ``vigil db build``: one line per source on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from vigil.service.advisory_sync import SourceOutcome


def outcome_text(outcome: SourceOutcome) -> str:
    """``+added ~changed -removed`` (or "unchanged", or the error) for one source."""
    if outcome.error is not None:
        return f"failed: {outcome.error}"
    if outcome.unchanged:
        return "unchanged"
    counts = outcome.counts
    parts = [f"+{counts.get('added', 0)}"]
    parts.append(f"~{counts.get('modified', counts.get('changed', 0))}")
    if "withdrawn" in counts:
        parts.append(f"withdrawn {counts['withdrawn']}")
    parts.append(f"-{counts.get('removed', 0)}")
    if outcome.failure_count:
        parts.append(f"{outcome.failure_count} malformed")
    return " ".join(parts)


class SyncDisplay:
    """A ``SyncProgress`` drawn with rich: a spinner and a record count per source."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(finished_text="[green]✓[/]"),
            TextColumn("{task.description}"),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks: dict[str, TaskID] = {}

    def started(self, source: str) -> None:
        self._tasks[source] = self._progress.add_task(source, total=None, detail="fetching")

    def advanced(self, source: str, records: int) -> None:
        self._progress.update(self._tasks[source], detail=f"{records:,} records read")

    def finished(self, source: str, outcome: SourceOutcome) -> None:
        task = self._tasks[source]
        self._progress.update(task, total=1, completed=1, detail=outcome_text(outcome))

    def __enter__(self) -> SyncDisplay:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()


@contextmanager
def sync_progress() -> Iterator[SyncDisplay | None]:
    """A display on stderr when stderr is a terminal, else None."""
    if not sys.stderr.isatty():
        yield None
        return
    with SyncDisplay(Console(stderr=True)) as shown:
        yield shown
