"""``vigil scan TARGET | --sbom FILE``: the CI gate. Catalog, match, report, and exit with a code
a pipeline can act on.

Exit codes: 0 nothing at or above ``--fail-on`` (or no ``--fail-on``); 1 findings at or above it
(or an unexpected failure, or the report could not be written); 2 a usage error (click's own, a
bad duration, a bad ignore file, both or neither of TARGET and ``--sbom``); 3 nothing could be
cataloged: the target could not be opened or read, or nothing in it was recognised (never a
silent "no vulnerabilities"); 4 the advisory database is missing or older than
``--max-db-age``. The report goes to stdout or ``-o``; everything else goes to stderr.
"""

from __future__ import annotations

import os
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from vigil import __version__
from vigil.cli import display, scan_messages
from vigil.cli.db_options import guarded, store_options
from vigil.cli.output import check_writable_destination, write_output
from vigil.cli.scan_options import FAIL_ON, at_or_above, duration_option
from vigil.cli.target_options import parse_platform, registry_credentials
from vigil.domain import Severity
from vigil.reports.context import ReportContext
from vigil.reports.registry import DEFAULT_FORMAT, FORMAT_NAMES, render
from vigil.reports.summary import summary_line
from vigil.service.inventory import Platform, RegistryOptions, TargetError
from vigil.service.scan import (
    AdvisoryDatabaseMissing,
    AdvisoryDatabaseTooOld,
    ScanOutcome,
    ScanRequest,
    finding_to_json,
    run_scan,
)
from vigil.service.scan_ignore import (
    IgnoreFileError,
    IgnoreRules,
    apply_ignore_rules,
    load_ignore_file,
)

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_NOT_CATALOGED, EXIT_DATABASE = 0, 1, 2, 3, 4

HELP = """Scan TARGET (or an SBOM) for known vulnerabilities and report them.

\b
TARGET is what `vigil sbom` takes: dir:PATH, docker-archive:PATH, oci:PATH[:TAG],
registry:REF, zip:PATH[,LAYER.zip...], or a bare path recognised from its content.
--sbom FILE reads a CycloneDX, SPDX or vigil JSON document instead.

\b
Exit codes:
  0  nothing at or above --fail-on (always, without --fail-on)
  1  findings at or above --fail-on (or an unexpected failure)
  2  usage error (options, duration, ignore file)
  3  nothing could be cataloged: the target is unreadable or was not understood
  4  the advisory database is missing or older than --max-db-age
"""


@click.command("scan", help=HELP)
@click.argument("target", required=False)
@click.option(
    "--sbom",
    "sbom_file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Scan the packages an SBOM lists instead of a TARGET.",
)
@store_options
@click.option(
    "--format",
    "format_name",
    type=click.Choice(FORMAT_NAMES),
    show_default=True,
    default=DEFAULT_FORMAT,
    help="Report format (cyclonedx-vex is CycloneDX 1.6).",
)
@click.option("-o", "--output", metavar="FILE", help="Write the report to FILE, not stdout.")
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON, case_sensitive=False),
    metavar="SEVERITY",
    help="Exit 1 when a finding is at or above SEVERITY (LOW, MEDIUM, HIGH, CRITICAL).",
)
@click.option("--ignore-unfixed", is_flag=True, help="Leave out findings no fix exists for.")
@click.option(
    "--ignore",
    "ignore_file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="A YAML file of accepted vulnerabilities (ids, packages, expiry, reasons).",
)
@click.option(
    "--max-db-age",
    callback=duration_option,
    metavar="DURATION",
    help="Exit 4 when the advisory database is older (24h, 7d, or hours).",
)
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
    help="Registry user; the password comes from VIGIL_REGISTRY_PASSWORD or stdin.",
)
@click.option(
    "--registry-password-stdin", is_flag=True, help="Read the registry password from stdin."
)
@guarded
def scan(**options: Any) -> None:  # fmt: skip
    sys.exit(_scan(**options))


def _scan(
    target: str | None,
    sbom_file: Path | None,
    store: Path,
    format_name: str,
    output: str | None,
    fail_on: str | None,
    ignore_unfixed: bool,
    ignore_file: Path | None,
    max_db_age: timedelta | None,
    platform: Platform | None,
    insecure_registry: bool,
    registry_username: str | None,
    registry_password_stdin: bool,
) -> int:
    if (target is None) == (sbom_file is None):
        raise click.UsageError("give either a TARGET or --sbom FILE (exactly one)")
    if output is not None:
        check_writable_destination(output)
    now = datetime.now(UTC)
    rules = _ignore_rules(ignore_file, now)
    request = ScanRequest(
        target=target,
        sbom=sbom_file,
        db=store,
        max_db_age=max_db_age,
        platform=platform,
        registry=RegistryOptions(
            credentials=registry_credentials(registry_username, registry_password_stdin),
            allow_http=insecure_registry,
        ),
    )
    outcome = _run(request, now)
    scan_messages.inventory_warnings(outcome.inventory)
    scan_messages.match_warnings(outcome.match_warnings)
    if not outcome.understood:
        what = target if target is not None else str(sbom_file)
        display.error(
            f"{what}: nothing could be cataloged: no operating system identified and no "
            'package found; not reporting "no vulnerabilities" for it'
        )
        return EXIT_NOT_CATALOGED
    findings = outcome.findings
    ignored = 0
    if rules is not None:
        assert ignore_file is not None
        applied = apply_ignore_rules(findings, rules)
        scan_messages.ignored(str(ignore_file), applied.ignored)
        findings, ignored = applied.kept, len(applied.ignored)
    if ignore_unfixed:
        fixable = tuple(f for f in findings if f.fix_available != "NO")
        ignored += len(findings) - len(fixable)
        findings = fixable
    context = _context(request, outcome, now, ignored, format_name, output)
    documents = [finding_to_json(f) for f in findings]
    if not _write(output, render(format_name, documents, context)):
        return EXIT_FINDINGS
    severities = [f.severity for f in findings]
    if output is not None or format_name != "table":
        click.echo(f"vigil: {summary_line(severities, ignored)}", err=True)
    return _verdict(severities, fail_on)


def _ignore_rules(path: Path | None, now: datetime) -> IgnoreRules | None:
    if path is None:
        return None
    try:
        rules = load_ignore_file(path, today=now.date())
    except IgnoreFileError as exc:
        raise click.BadParameter(str(exc), param_hint="'--ignore'") from None
    scan_messages.expired_rules(str(path), rules.expired)
    return rules


def _run(request: ScanRequest, now: datetime) -> ScanOutcome:
    try:
        with display.progress_on_terminal() as progress:
            return run_scan(request, progress=progress, clock=lambda: now)
    except (AdvisoryDatabaseMissing, AdvisoryDatabaseTooOld) as exc:
        display.error(str(exc))
        sys.exit(EXIT_DATABASE)
    except TargetError as exc:
        what = request.target if request.target is not None else str(request.sbom)
        display.error(f"cannot catalog {what}: {exc}")
        sys.exit(EXIT_NOT_CATALOGED)


def _context(
    request: ScanRequest,
    outcome: ScanOutcome,
    now: datetime,
    ignored: int,
    format_name: str,
    output: str | None,
) -> ReportContext:
    to_terminal = format_name == "table" and output in (None, "-") and sys.stdout.isatty()
    return ReportContext(
        target=request.target if request.target is not None else outcome.inventory.target,
        tool_version=__version__,
        created=now,
        ignored=ignored,
        width=shutil.get_terminal_size((80, 24)).columns,
        color=to_terminal and "NO_COLOR" not in os.environ,
    )


def _write(output: str | None, data: bytes) -> bool:
    try:
        write_output(output, data)
    except BrokenPipeError:
        # The reader went away (`| head`): point stdout at /dev/null so Python's final flush
        # cannot fail a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return False
    except OSError as exc:
        display.error(f"cannot write {output}: {exc.strerror or exc}")
        return False
    return True


def _verdict(severities: list[Severity], fail_on: str | None) -> int:
    if fail_on is None:
        return EXIT_OK
    threshold = Severity(fail_on.upper())
    tripping = sum(at_or_above(s, threshold) for s in severities)
    if tripping:
        noun = "finding" if tripping == 1 else "findings"
        display.error(f"{tripping} {noun} at or above {threshold.value} (--fail-on)")
        return EXIT_FINDINGS
    return EXIT_OK
