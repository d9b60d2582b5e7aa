"""Target options shared by the commands that open a target (``sbom``, ``scan``, ``resources``)."""

from __future__ import annotations

import os
import sys

import click

from vigil.service.inventory import Platform

PASSWORD_ENV = "VIGIL_REGISTRY_PASSWORD"


def parse_platform(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> Platform | None:
    if value is None:
        return None
    try:
        return Platform.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def registry_credentials(username: str | None, password_stdin: bool) -> tuple[str, str] | None:
    """(user, password) from the options and environment; the password is never an argument."""
    password = os.environ.get(PASSWORD_ENV) or None
    if password_stdin:
        if username is None:
            raise click.UsageError("--registry-password-stdin needs --registry-username")
        password = sys.stdin.read().rstrip("\r\n")
    if username is None and password is None:
        return None
    if username is None:
        raise click.UsageError(f"{PASSWORD_ENV} is set but no registry user name is given")
    if not password:
        raise click.UsageError(
            f"no registry password: set {PASSWORD_ENV} or pass --registry-password-stdin"
        )
    return username, password
