"""``vigil server``: the API, the job workers and the scheduled advisory sync in one process.

Exit codes: 0 stopped by SIGTERM or SIGINT after a graceful shutdown; 1 could not start (port
taken, no advisory store, unreadable master key); 2 a usage error.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path

import click
from starlette.types import ASGIApp

from vigil import __version__
from vigil.cli.db_options import fail, guarded
from vigil.service.advisory_status import parse_age
from vigil.service.api_context import ApiServices
from vigil.service.data_dir import DATA_DIR_ENV, default_data_dir
from vigil.service.database import DATABASE_URL_ENV
from vigil.service.master_key import MasterKeyError
from vigil.service.server import (
    DEFAULT_PORT,
    DEFAULT_REGION,
    DEFAULT_SHUTDOWN_TIMEOUT,
    FIRST_ACCOUNT,
    ServerError,
    ServerSettings,
    Started,
    VigilServer,
    sources_from_env,
)
from vigil.service.uploads import UploadService


def make_app(services: ApiServices, uploads: UploadService) -> ASGIApp:
    """The Inspector API with Vigil's own endpoints in front (under ``/_vigil/``)."""
    # Imported here: loading botocore's service models costs every other command its time.
    from vigil.api import create_app
    from vigil.api.vigil_ingest import vigil_app, with_vigil_endpoints

    return with_vigil_endpoints(create_app(services), vigil_app(services, uploads))


def _interval(_ctx: click.Context, _param: click.Parameter, value: str) -> timedelta:
    try:
        interval = parse_age(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if interval < timedelta(minutes=1):
        raise click.BadParameter("the sync interval is at least 1m")
    return interval


def _account(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    if not re.fullmatch(r"\d{12}", value):
        raise click.BadParameter("an account id is 12 digits")
    return value


@click.command("server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="Port to listen on (0: any free port, printed at start).",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=DATA_DIR_ENV,
    show_envvar=True,
    help="Vigil's data directory [default: $XDG_DATA_HOME/vigil or ~/.local/share/vigil].",
)
@click.option(
    "--database-url",
    envvar=DATABASE_URL_ENV,
    show_envvar=True,
    metavar="URL",
    help="The service database [default: sqlite in DATA_DIR]; postgresql://… for PostgreSQL.",
)
@click.option(
    "--advisory-db",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Use this advisory store as it is (no scheduled sync unless --sync) "
    "[default: DATA_DIR/advisories.db, synced on a schedule].",
)
@click.option(
    "--sync/--no-sync",
    default=None,
    help="Sync the advisory store on a schedule [default: only the data directory's store].",
)
@click.option(
    "--sync-interval",
    default="6h",
    show_default=True,
    callback=_interval,
    metavar="AGE",
    help="Time between advisory syncs (30m, 6h, 1d). Sources as for `vigil db sync`.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Job worker threads.",
)
@click.option(
    "--region",
    default=DEFAULT_REGION,
    show_default=True,
    help="The region shown in the usage hints (clients sign for any region).",
)
@click.option(
    "--shutdown-timeout",
    type=click.FloatRange(0),
    default=DEFAULT_SHUTDOWN_TIMEOUT,
    show_default=True,
    help="Seconds running jobs get to finish at shutdown; the rest resume at the next start.",
)
@click.option(
    "--first-account",
    default=FIRST_ACCOUNT,
    show_default=True,
    callback=_account,
    help="Account of the admin key made at the first start (when the database has no key).",
)
@guarded
def server(
    host: str,
    port: int,
    data_dir: Path | None,
    database_url: str | None,
    advisory_db: Path | None,
    sync: bool | None,
    sync_interval: timedelta,
    workers: int,
    region: str,
    shutdown_timeout: float,
    first_account: str,
) -> None:
    """Serve the Inspector-compatible API, run the job workers and keep advisories current.

    At the first start (no access key in the database) an admin key is created and its secret
    printed once. SIGTERM or SIGINT stops the server gracefully.
    """
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = ServerSettings(
        data_dir=data_dir if data_dir is not None else default_data_dir(),
        database_url=database_url,
        advisory_db=advisory_db,
        host=host,
        port=port,
        workers=workers,
        region=region,
        sync=sync,
        sync_interval=sync_interval,
        sources=sources_from_env(),
        shutdown_timeout=shutdown_timeout,
        first_account=first_account,
    )
    process = VigilServer(settings, make_app)
    try:
        started = process.open()
    except (ServerError, MasterKeyError) as exc:
        fail(str(exc))
    finished = process.serve(on_ready=lambda: _announce(started, settings))
    if finished:
        click.echo("Vigil stopped; every running job finished.")
    else:
        click.echo("Vigil stopped; jobs still running resume at the next start.")


def _announce(started: Started, settings: ServerSettings) -> None:
    echo = click.echo
    echo(f"Vigil {__version__} serving {started.url}")
    echo(f"  data directory  {started.data_dir}")
    if started.schema_before == started.schema_now:
        schema = f"schema {started.schema_now} (already current)"
    else:
        schema = f"schema migrated from {started.schema_before or 'empty'} to {started.schema_now}"
    echo(f"  database        {started.database}, {schema}")
    if started.sync_interval is None:
        sync = "used as it is, not synced"
    else:
        sync = f"synced every {_duration(started.sync_interval)}"
        if started.advisory_created:
            sync += "; created empty, the first sync runs now"
    echo(f"  advisories      {started.advisory_db} ({sync})")
    resumed = f", {len(started.recovered)} resumed" if started.recovered else ""
    echo(f"  job workers     {started.workers}{resumed}")
    where = f"--data-dir {started.data_dir}"
    if started.first_key is None:
        echo(
            f"{started.key_count} access key(s) exist. Create another: "
            f"vigil keys create --account ID --role admin {where}"
        )
    else:
        _first_key_hints(started, settings)
    echo("Stop with Ctrl+C or SIGTERM.")


def _first_key_hints(started: Started, settings: ServerSettings) -> None:
    key = started.first_key
    assert key is not None
    account = key.info.account_id
    url, region = started.url, settings.region
    click.echo(
        f"""
First admin access key of account {account}. The secret is shown only now; keep it:

  export AWS_ACCESS_KEY_ID={key.info.access_key_id}
  export AWS_SECRET_ACCESS_KEY={key.secret_access_key}
  export AWS_DEFAULT_REGION={region}

AWS CLI:
  aws inspector2 list-findings --endpoint-url {url} --region {region}
boto3:
  boto3.client("inspector2", endpoint_url="{url}", region_name="{region}")
Scan this machine into it:
  vigil resources scan dir:/ --account {account} --endpoint-url {url} --wait
More keys: vigil keys create --account {account} --role analyst --data-dir {started.data_dir}
"""
    )


def _duration(interval: timedelta) -> str:
    seconds = int(interval.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
