"""What ``vigil`` shows people on stderr: warnings as plain lines, progress only on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from vigil.domain import ScanWarning

MAX_WARNING_LINES = 100


def error(message: str) -> None:
    click.echo(f"vigil: error: {message}", err=True)


def warnings(found: Sequence[ScanWarning], *, where_all: str) -> None:
    """One line per warning, up to a bound; ``where_all`` says where the full list is."""
    for warning in found[:MAX_WARNING_LINES]:
        by = f" ({warning.cataloger})" if warning.cataloger else ""
        click.echo(f"vigil: warning: {warning.path}: {warning.reason}{by}", err=True)
    if len(found) > MAX_WARNING_LINES:
        rest = len(found) - MAX_WARNING_LINES
        click.echo(f"vigil: warning: {rest} more warnings not shown; {where_all}", err=True)


class ProgressDisplay:
    """A ``vigil.service.inventory.ScanProgress`` drawn with rich on a terminal."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._opening: TaskID | None = None
        self._cataloging: TaskID | None = None

    def opening(self, spec: str) -> None:
        self._opening = self._progress.add_task(f"Reading {spec}", total=None)

    def cataloging(self, done: int, total: int) -> None:
        if self._cataloging is None:
            if self._opening is not None:
                self._progress.remove_task(self._opening)
            self._cataloging = self._progress.add_task("Cataloging files", total=total)
        self._progress.update(self._cataloging, completed=done, total=total)

    def __enter__(self) -> ProgressDisplay:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()


@contextmanager
def progress_on_terminal() -> Iterator[ProgressDisplay | None]:
    """A progress display on stderr when stderr is a terminal, else None (logs stay clean).

    Asked of stderr itself: rich would also draw where FORCE_COLOR is set, as in many CI logs.
    """
    if not sys.stderr.isatty():
        yield None
        return
    with ProgressDisplay(Console(stderr=True)) as display:
        yield display
