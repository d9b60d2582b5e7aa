"""Options shared by ``vigil db`` and ``vigil vuln``: where the store is, and a guard that turns
an unexpected error into one line (the traceback with ``--debug``)."""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from vigil.cli import display
from vigil.service.data_dir import DATA_DIR_ENV, advisory_store_path

F = TypeVar("F", bound=Callable[..., Any])
EXIT_FAILURE = 1


def store_options(command: F) -> F:
    """``--data-dir`` and ``--db``; the command receives ``store`` (a Path) instead."""

    @click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=DATA_DIR_ENV,
        show_envvar=True,
        help="Vigil's data directory [default: $XDG_DATA_HOME/vigil or ~/.local/share/vigil].",
    )
    @click.option(
        "--db",
        "db_file",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE",
        help="The advisory store file [default: DATA_DIR/advisories.db].",
    )
    @functools.wraps(command)
    def wrapper(*args: Any, data_dir: Path | None, db_file: Path | None, **kwargs: Any) -> Any:
        return command(*args, store=advisory_store_path(data_dir, db_file), **kwargs)

    return wrapper  # type: ignore[return-value]


def guarded(command: F) -> F:
    """Adds ``--debug``; an unexpected exception ends the command with one line and exit 1."""

    @click.option("--debug", is_flag=True, help="Show the traceback of an unexpected error.")
    @functools.wraps(command)
    def wrapper(*args: Any, debug: bool, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (click.ClickException, click.exceptions.Exit, SystemExit):
            raise
        except KeyboardInterrupt:
            display.error("interrupted")
            sys.exit(130)
        except Exception as exc:  # a bug: one line for the user, the traceback on request
            if debug:
                traceback.print_exc()
            else:
                display.error(
                    f"unexpected {type(exc).__name__}: {exc} (run with --debug for details)"
                )
            sys.exit(EXIT_FAILURE)

    return wrapper  # type: ignore[return-value]


def fail(message: str, code: int = EXIT_FAILURE) -> NoReturn:
    display.error(message)
    sys.exit(code)
