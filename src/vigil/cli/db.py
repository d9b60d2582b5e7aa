"""``vigil db``: the advisory store: sync, status, build (export/import/keygen in db_bundle.py).

Exit codes: 0 done; 1 a failure (for ``sync``: at least one source failed, the others were
still applied; for ``status``: no store, or stale with ``--fail-if-stale``); 2 a usage error.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from vigil.cli.db_bundle import export_command, import_command, keygen_command, verify_command
from vigil.cli.db_options import fail, guarded, store_options
from vigil.cli.db_progress import sync_progress
from vigil.cli.db_render import outcomes, staleness, status
from vigil.service.advisory_build import BuildError, build_database
from vigil.service.advisory_bundle import AdvisoryError, StoreError
from vigil.service.advisory_config import (
    DEFAULT_OSV_URL,
    EPSS_URL,
    KEV_URL,
    NVD_API_URL,
    SOURCES,
    SourceConfig,
)
from vigil.service.advisory_status import database_status, parse_age
from vigil.service.advisory_sync import sync_database

NVD_KEY_ENV = "VIGIL_NVD_API_KEY"
F = TypeVar("F", bound=Callable[..., Any])


@click.group("db")
def db() -> None:
    """The advisory database: sync it, check it, build, export and import it.

    \b
    Exit codes: 0 done; 1 a failure (sync: a source failed, the others were applied;
    status: no store, or stale with --fail-if-stale; import: bundle refused, store kept);
    2 a usage error.
    """


def _url_option(source: str, default: str, help_text: str) -> Callable[[F], F]:
    """``--SOURCE-url``, also read from ``VIGIL_SOURCE_URL``, so tests and mirrors can redirect."""
    return click.option(
        f"--{source}-url",
        metavar="URL",
        envvar=f"VIGIL_{source.upper()}_URL",
        show_envvar=True,
        default=default,
        show_default=True,
        help=help_text,
    )


def _json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=False))


@db.command("sync")
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Choice(SOURCES),
    help="Sync only these sources (repeatable) [default: all].",
)
@click.option(
    "--ecosystem",
    "ecosystems",
    multiple=True,
    metavar="NAME",
    help="OSV ecosystems to sync (repeatable) [default: every one Vigil can match].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the sync diffs as JSON.")
@_url_option("osv", DEFAULT_OSV_URL, "OSV export base ({URL}/{ecosystem}/all.zip).")
@_url_option("nvd", NVD_API_URL, "NVD CVE API 2.0 endpoint.")
@_url_option("epss", EPSS_URL, "EPSS scores (CSV, gzipped or not).")
@_url_option("kev", KEV_URL, "CISA KEV catalog (JSON).")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Seconds per HTTP request.",
)
@click.option(
    "--attempts",
    type=click.IntRange(min=1, max=10),
    default=4,
    show_default=True,
    help="Attempts per download (with exponential backoff between them).",
)
@store_options
@guarded
def sync_command(
    store: Path,
    sources: tuple[str, ...],
    ecosystems: tuple[str, ...],
    as_json: bool,
    osv_url: str,
    nvd_url: str,
    epss_url: str,
    kev_url: str,
    timeout: float,
    attempts: int,
) -> None:
    """Bring the advisory store up to date from OSV, NVD, EPSS and KEV.

    Each source is applied in its own transaction: a failed source keeps its previous data and
    the others still go in. The NVD API key, if any, is read from VIGIL_NVD_API_KEY.
    """
    config = SourceConfig(
        osv_url=osv_url,
        nvd_url=nvd_url,
        epss_url=epss_url,
        kev_url=kev_url,
        nvd_api_key=os.environ.get(NVD_KEY_ENV) or None,
        timeout=timeout,
        attempts=attempts,
    )
    try:
        with sync_progress() as progress:
            summary = sync_database(
                store,
                config,
                sources=sources or SOURCES,
                ecosystems=ecosystems or None,
                progress=progress,
            )
    except AdvisoryError as exc:
        fail(str(exc))
    if as_json:
        _json(summary.to_json())
        for outcome in summary.outcomes:
            if outcome.error is not None:
                click.echo(f"vigil: error: {outcome.source}: {outcome.error}", err=True)
    else:
        outcomes(summary.outcomes)
    if not summary.ok:
        failed = sum(1 for o in summary.outcomes if not o.ok)
        fail(f"{failed} of {len(summary.outcomes)} sources failed; their previous data is kept")


def _age(ctx: click.Context, param: click.Parameter, value: str) -> object:
    try:
        return parse_age(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@db.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
@click.option(
    "--max-age",
    default="24h",
    show_default=True,
    callback=_age,
    metavar="AGE",
    help="A source not checked within AGE (90m, 24h, 7d) is stale.",
)
@click.option("--fail-if-stale", is_flag=True, help="Exit 1 when the store is stale or empty.")
@store_options
@guarded
def status_command(store: Path, as_json: bool, max_age: object, fail_if_stale: bool) -> None:
    """Show the store: schema, build time, sources, record counts, and whether it is stale.

    A stale store is reported with a warning on stderr; the exit code stays 0 unless
    --fail-if-stale is given.
    """
    try:
        found = database_status(store, now=datetime.now(UTC), max_age=max_age)  # type: ignore[arg-type]
    except StoreError as exc:
        fail(f"{exc} (run `vigil db sync`, or `vigil db import` a bundle)")
    if as_json:
        _json(found.to_json())
    else:
        status(found)
    warning = staleness(found)
    if warning is not None:
        click.echo(f"vigil: warning: {warning}", err=True)
        if fail_if_stale:
            raise SystemExit(1)


@db.command("build")
@click.option(
    "--from",
    "specs",
    multiple=True,
    required=True,
    metavar="SOURCE",
    help="A directory of OSV JSON files, an OSV zip, an http(s) URL, or an NVD, "
    "EPSS or KEV file (repeatable; the format is detected).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    metavar="FILE",
    help="The store file to write (replaced atomically).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what went in as JSON.")
@guarded
def build_command(specs: tuple[str, ...], output: Path, as_json: bool) -> None:
    """Build a fresh advisory store from files and URLs; nothing is written on failure."""
    try:
        with sync_progress() as progress:
            summary = build_database(list(specs), output, progress=progress)
    except BuildError as exc:
        fail(f"build failed: {exc}")
    except AdvisoryError as exc:
        fail(f"build failed: {exc}; no store written")
    if as_json:
        _json(
            {
                "output": str(summary.output),
                "inputs": [{"source": i.spec, "format": i.kind} for i in summary.inputs],
                "sources": [o.to_json() for o in summary.outcomes],
            }
        )
        return
    for item in summary.inputs:
        click.echo(f"{item.spec}: {item.kind}")
    outcomes(summary.outcomes)
    click.echo(f"wrote {summary.output}")


db.add_command(export_command)
db.add_command(import_command)
db.add_command(keygen_command)
db.add_command(verify_command)
