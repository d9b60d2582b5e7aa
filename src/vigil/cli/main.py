"""Entry point of the ``vigil`` command; sub-commands are registered explicitly below."""

from __future__ import annotations

import click

from vigil import __version__
from vigil.cli.db import db
from vigil.cli.keys import keys
from vigil.cli.resources import resources
from vigil.cli.sbom import sbom
from vigil.cli.scan import scan
from vigil.cli.server import server
from vigil.cli.vuln import vuln


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vigil")
def cli() -> None:
    """Vigil: continuous vulnerability management for hosts, images and functions."""


cli.add_command(sbom)
cli.add_command(scan)
cli.add_command(db)
cli.add_command(vuln)
cli.add_command(keys)
cli.add_command(server)
cli.add_command(resources)


def main() -> None:
    cli()
