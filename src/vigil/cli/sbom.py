"""``vigil sbom TARGET``: catalog a target and write its SBOM.

Exit codes: 0 written; 1 an unexpected failure (or the output could not be written); 2 a usage
error or a target that does not exist; 3 a target that could not be opened or understood at all
(no operating system identified and no package found), in which case no document is written.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import UTC, datetime

import click

from vigil.cli import display
from vigil.cli.output import check_writable_destination, write_output
from vigil.cli.target_options import parse_platform, registry_credentials
from vigil.domain import Inventory
from vigil.service.inventory import (
    ImageNotFound,
    Platform,
    RegistryOptions,
    TargetError,
    TargetNotFound,
    scan_inventory,
)
from vigil.service.sbom import DEFAULT_FORMAT, FORMAT_NAMES, render_sbom

EXIT_FAILURE, EXIT_USAGE, EXIT_NOT_UNDERSTOOD = 1, 2, 3

TARGET_HELP = """Write the SBOM of TARGET: every OS and language package found in it.

\b
TARGET is one of:
  dir:PATH                  a directory (an unpacked root file system, a mounted snapshot)
  docker-archive:PATH       a `docker save` tarball
  oci:PATH[:TAG]            an OCI image layout, as a directory or a tar
  registry:REF              an image pulled from a registry ([HOST/]REPO[:TAG|@DIGEST])
  zip:PATH[,LAYER.zip...]   a function package and its layers (AWS Lambda's layout)
  PATH                      any of the above, recognised from its content

What could not be read, and why, is printed on stderr and recorded in the SBOM.
Exit codes: 0 written, 1 failure, 2 usage error or no such target, 3 target not understood.
"""


@click.command("sbom", help=TARGET_HELP)
@click.argument("target")
@click.option(
    "--format",
    "format_name",
    type=click.Choice(FORMAT_NAMES),
    default=DEFAULT_FORMAT,
    show_default=True,
    help="Document format (cyclonedx-json is CycloneDX 1.6).",
)
@click.option("-o", "--output", metavar="FILE", help="Write to FILE (atomically), not stdout.")
@click.option(
    "--platform",
    metavar="OS/ARCH[/VARIANT]",
    callback=parse_platform,
    help="Image to pick from a multi-platform index [default: linux/amd64].",
)
@click.option("--insecure-registry", is_flag=True, help="Allow plain HTTP for registry: targets.")
@click.option(
    "--registry-username",
    envvar="VIGIL_REGISTRY_USERNAME",
    metavar="USER",
    help="Registry user (or VIGIL_REGISTRY_USERNAME); the password comes from "
    "VIGIL_REGISTRY_PASSWORD or stdin.",
)
@click.option(
    "--registry-password-stdin", is_flag=True, help="Read the registry password from stdin."
)
@click.option("--debug", is_flag=True, help="Show the traceback of an unexpected error.")
def sbom(
    target: str,
    format_name: str,
    output: str | None,
    platform: Platform | None,
    insecure_registry: bool,
    registry_username: str | None,
    registry_password_stdin: bool,
    debug: bool,
) -> None:
    try:
        _sbom(target, format_name, output, platform, insecure_registry, registry_username,
              registry_password_stdin)  # fmt: skip
    except click.ClickException:
        raise  # usage errors: click reports them and exits 2
    except KeyboardInterrupt:
        display.error("interrupted")
        sys.exit(130)
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        if debug:
            traceback.print_exc()
        else:
            display.error(f"unexpected {type(exc).__name__}: {exc} (run with --debug for details)")
        sys.exit(EXIT_FAILURE)


def _sbom(
    target: str,
    format_name: str,
    output: str | None,
    platform: Platform | None,
    insecure_registry: bool,
    registry_username: str | None,
    registry_password_stdin: bool,
) -> None:
    if output is not None:
        check_writable_destination(output)
    options = RegistryOptions(
        credentials=registry_credentials(registry_username, registry_password_stdin),
        allow_http=insecure_registry,
    )
    inventory = _scan(target, platform, options)
    if not inventory.understood:
        display.warnings(inventory.warnings, where_all=f"{len(inventory.warnings)} in all")
        display.error(
            f"{target}: not understood: no operating system identified and no package found; "
            "no SBOM written"
        )
        sys.exit(EXIT_NOT_UNDERSTOOD)
    display.warnings(inventory.warnings, where_all="all of them are recorded in the SBOM")
    data = render_sbom(inventory, format_name, created=datetime.now(UTC))
    try:
        write_output(output, data)
    except BrokenPipeError:
        # The reader went away (`| head`). Python flushes stdout again at exit: point it at
        # /dev/null so that this flush cannot fail a second time with a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_FAILURE)
    except OSError as exc:
        display.error(f"cannot write {output}: {exc.strerror or exc}")
        sys.exit(EXIT_FAILURE)


def _scan(target: str, platform: Platform | None, options: RegistryOptions) -> Inventory:
    try:
        with display.progress_on_terminal() as progress:
            return scan_inventory(target, platform=platform, progress=progress, registry=options)
    except (TargetNotFound, ImageNotFound) as exc:
        display.error(f"no such target: {exc}")
        sys.exit(EXIT_USAGE)
    except TargetError as exc:
        display.error(f"cannot open {target}: {exc}")
        sys.exit(EXIT_NOT_UNDERSTOOD)
