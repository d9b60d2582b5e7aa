"""``vigil keys create|list|revoke``: the access keys that sign requests to Vigil's API.

Exit codes: 0 done; 1 the key or database could not be used (unknown key, unreadable master
key); 2 a usage error.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.table import Table

from vigil.cli.db_options import fail, guarded
from vigil.service.data_dir import DATA_DIR_ENV, default_data_dir
from vigil.service.database import DATABASE_URL_ENV, open_database
from vigil.service.keys import ROLES, AccessKeyError, KeyInfo, KeyService
from vigil.service.master_key import MasterKeyError, load_master_key

F = TypeVar("F", bound=Callable[..., Any])


def _key_service_options(command: F) -> F:
    """``--data-dir`` and ``--database-url``; the command receives ``keys`` instead."""

    @click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=DATA_DIR_ENV,
        show_envvar=True,
        help="Vigil's data directory (holds master.key and the embedded database).",
    )
    @click.option(
        "--database-url",
        envvar=DATABASE_URL_ENV,
        show_envvar=True,
        metavar="URL",
        help="The service database [default: sqlite in DATA_DIR]; postgresql://… for PostgreSQL.",
    )
    @functools.wraps(command)
    def wrapper(*args: Any, data_dir: Path | None, database_url: str | None, **kwargs: Any) -> Any:
        folder = data_dir if data_dir is not None else default_data_dir()
        try:
            master = load_master_key(folder)
        except MasterKeyError as exc:
            fail(str(exc))
        engine = open_database(folder, database_url)
        try:
            return command(*args, keys=KeyService(engine, master), **kwargs)
        finally:
            engine.dispose()

    return wrapper  # type: ignore[return-value]


def _account(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{12}", value):
        raise click.BadParameter("an account id is 12 digits")
    return value


@click.group("keys")
def keys() -> None:
    """Access keys for the API: each belongs to one account and has one role."""


@keys.command("create")
@click.option("--account", required=True, callback=_account, help="The 12-digit account id.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What the key may do.")
@click.option("--description", default="", help="A note for people (at most 256 characters).")
@click.option("--json", "as_json", is_flag=True, help="Print the new key as JSON.")
@_key_service_options
@guarded
def create_command(
    keys: KeyService, account: str, role: str, description: str, as_json: bool
) -> None:
    """Create a key; its secret is printed now and never again."""
    try:
        issued = keys.issue(account, role, description)
    except AccessKeyError as exc:
        fail(str(exc))
    if as_json:
        document = {
            "accessKeyId": issued.info.access_key_id,
            "secretAccessKey": issued.secret_access_key,
        }
        click.echo(json.dumps(document))
        return
    click.echo(f"Access key:        {issued.info.access_key_id}")
    click.echo(f"Secret access key: {issued.secret_access_key}")
    click.echo(f"Account {account}, role {role}. The secret is shown only this once.")


@keys.command("list")
@click.option("--account", callback=_account, help="Only the keys of this account.")
@click.option("--json", "as_json", is_flag=True, help="Print the keys as JSON.")
@_key_service_options
@guarded
def list_command(keys: KeyService, account: str | None, as_json: bool) -> None:
    """List keys (never their secrets)."""
    found = keys.list_keys(account)
    if as_json:
        click.echo(json.dumps([info.to_json() for info in found], indent=2))
        return
    _render(found, Console(highlight=False))


@keys.command("revoke")
@click.argument("key_id", metavar="KEY_ID")
@click.option("--json", "as_json", is_flag=True, help="Print the revoked key as JSON.")
@_key_service_options
@guarded
def revoke_command(keys: KeyService, key_id: str, as_json: bool) -> None:
    """Revoke a key: requests signed with it are refused from now on."""
    try:
        info = keys.revoke(key_id)
    except AccessKeyError as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps(info.to_json(), indent=2))
    else:
        click.echo(f"Revoked {info.access_key_id} (account {info.account_id}, role {info.role}).")


def _render(found: list[KeyInfo], console: Console) -> None:
    if not found:
        console.print("No access keys.")
        return
    table = Table()
    for column in ("access key", "account"):
        table.add_column(column, no_wrap=True)
    for column in ("role", "status", "created", "last used", "note"):
        table.add_column(column)
    for info in found:
        table.add_row(
            info.access_key_id,
            info.account_id,
            info.role,
            info.status,
            info.created_at.strftime("%Y-%m-%d"),
            info.last_used_at.strftime("%Y-%m-%d %H:%M") if info.last_used_at else "never",
            info.description,
        )
    console.print(table)
