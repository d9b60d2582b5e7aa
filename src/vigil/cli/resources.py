"""``vigil resources scan|list``: clients of a Vigil server.

``scan`` catalogs a target here (or reads an SBOM with ``--sbom``) and uploads the inventory
through the API for one resource of an account; the server matches it and keeps its findings.
``list`` shows the resources the key's account (and its members, for a delegated administrator)
holds. Both sign their requests with credentials found as the AWS CLI finds them.

Exit codes: 0 done (``--wait``: the ingest succeeded); 1 refused by the server, the job failed,
or the server could not be reached; 2 a usage error or no such target; 3 nothing in the target
was recognised (nothing is uploaded).
"""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from vigil.cli.db_options import fail, guarded
from vigil.cli.vigil_client import ClientError, Connection, call, connect, encode

F = TypeVar("F", bound=Callable[..., Any])
EXIT_NOT_UNDERSTOOD = 3
_FINISHED = frozenset({"SUCCEEDED", "FAILED", "CANCELLED"})


def _connection_options(command: F) -> F:
    for option in reversed(
        [
            click.option(
                "--endpoint-url",
                metavar="URL",
                help="The Vigil server [default: $VIGIL_ENDPOINT_URL, $AWS_ENDPOINT_URL or "
                "http://127.0.0.1:8080].",
            ),
            click.option(
                "--region", help="Region to sign for [default: the profile's, us-east-1]."
            ),
            click.option("--profile", help="A profile of the AWS shared credentials/config files."),
        ]
    ):
        command = option(command)
    return command


def _open(endpoint_url: str | None, region: str | None, profile: str | None) -> Connection:
    try:
        return connect(endpoint_url, region, profile)
    except ClientError as exc:
        fail(str(exc))


def _tag(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for value in values:
        key, sep, tag_value = value.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{value!r} is not key=value")
        tags[key] = tag_value
    return tags


def _account(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"\d{12}", value):
        raise click.BadParameter("an account id is 12 digits")
    return value


@click.group("resources")
def resources() -> None:
    """Resources of a Vigil server: upload a scan of one, list them."""


@resources.command("scan")
@click.argument("target")
@click.option(
    "--account",
    required=True,
    callback=_account,
    help="The 12-digit account the resource belongs to.",
)
@click.option(
    "--type",
    "kind",
    type=click.Choice(["host", "image", "function"]),
    default="host",
    show_default=True,
    help="What the target is.",
)
@click.option(
    "--resource-id",
    help="A host's id [default: this machine's name for dir:/, else the target].",
)
@click.option("--repository", help="An image's repository name [default: from the target].")
@click.option("--image-hash", help="An image's digest, sha256:… (required for --type image).")
@click.option("--function-name", help="A function's name [default: the zip's name].")
@click.option("--runtime", default="unknown", show_default=True, help="A function's runtime.")
@click.option("--tag", "tags", multiple=True, callback=_tag, help="A tag key=value (repeatable).")
@click.option("--sbom", "is_sbom", is_flag=True, help="TARGET is an SBOM file to upload as is.")
@click.option("--wait", is_flag=True, help="Wait for the ingest job and show its outcome.")
@click.option("--timeout", type=click.FloatRange(1), default=600.0, help="Seconds --wait waits.")
@click.option("--json", "as_json", is_flag=True, help="Print the server's answers as JSON.")
@_connection_options
@guarded
def scan_command(
    target: str,
    account: str,
    kind: str,
    resource_id: str | None,
    repository: str | None,
    image_hash: str | None,
    function_name: str | None,
    runtime: str,
    tags: dict[str, str],
    is_sbom: bool,
    wait: bool,
    timeout: float,
    as_json: bool,
    endpoint_url: str | None,
    region: str | None,
    profile: str | None,
) -> None:
    """Catalog TARGET here and upload its inventory for one resource of ACCOUNT."""
    connection = _open(endpoint_url, region, profile)
    document = _document(target, is_sbom)
    resource: dict[str, Any] = {"type": kind, "tags": tags} if tags else {"type": kind}
    if kind == "host":
        resource["id"] = resource_id or _host_id(target)
    elif kind == "image":
        if image_hash is None:
            fail("--type image needs --image-hash sha256:… (the image's digest)", 2)
        resource["repository"] = repository or _repository(target)
        resource["imageHash"] = image_hash
    else:
        resource["functionName"] = function_name or Path(target.split(",")[0]).stem
        resource["runtime"] = runtime
    envelope = {"accountId": account, "resource": resource, "document": document}
    try:
        queued = call(connection, "POST", "/_vigil/v1/inventories", body=encode(envelope))
    except ClientError as exc:
        fail(str(exc))
    if not wait:
        _show(queued, as_json, f"Queued ingest job {queued['jobId']} for {queued['resourceId']}.")
        return
    job = _wait(connection, str(queued["jobId"]), timeout)
    _show(job, as_json, _outcome(job))
    if job["status"] != "SUCCEEDED":
        raise SystemExit(1)


@resources.command("list")
@click.option(
    "--account",
    callback=_account,
    help="Only this account (yours, or a member's for an administrator).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the resources as JSON.")
@_connection_options
@guarded
def list_command(
    account: str | None,
    as_json: bool,
    endpoint_url: str | None,
    region: str | None,
    profile: str | None,
) -> None:
    """List the resources the server holds for your account(s)."""
    connection = _open(endpoint_url, region, profile)
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        query = [("maxResults", "1000")]
        query += [("accountId", account)] if account else []
        query += [("nextToken", token)] if token else []
        try:
            page = call(connection, "GET", "/_vigil/v1/resources", query)
        except ClientError as exc:
            fail(str(exc))
        found.extend(page["resources"])
        token = page.get("nextToken")
        if not token:
            break
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    _table(found)


def _document(target: str, is_sbom: bool) -> Any:
    if is_sbom:
        path = Path(target)
        try:
            return json.loads(path.read_bytes())
        except OSError as exc:
            fail(f"{target}: {exc.strerror}", 2)
        except ValueError:
            fail(f"{target}: not a JSON document", 2)
    # Imported here: the catalogers are needed by this path only.
    from vigil.service.inventory import TargetError, TargetNotFound, scan_inventory
    from vigil.service.sbom import render_sbom

    try:
        inventory = scan_inventory(target)
    except TargetNotFound as exc:
        fail(str(exc), 2)
    except TargetError as exc:
        fail(str(exc))
    for warning in inventory.warnings:
        click.echo(f"vigil: warning: {warning.path}: {warning.reason}", err=True)
    if not inventory.understood:
        fail(f"{target}: nothing in it was recognised; nothing was uploaded", EXIT_NOT_UNDERSTOOD)
    return json.loads(render_sbom(inventory, "vigil-json", created=datetime.now(UTC)))


def _host_id(target: str) -> str:
    if target in {"/", "dir:/"}:
        return socket.gethostname()
    return target


def _repository(target: str) -> str:
    # registry:host/name:tag → name; an archive or layout path → its file name
    spec = target.partition(":")[2] if ":" in target.split("/")[0] else target
    name = spec.rsplit("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":")[0] or "image"


def _wait(connection: Connection, job_id: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    delay = 0.2
    while True:
        try:
            job: dict[str, Any] = call(connection, "GET", f"/_vigil/v1/jobs/{job_id}")
        except ClientError as exc:
            fail(str(exc))
        if job["status"] in _FINISHED:
            return job
        if time.monotonic() > deadline:
            fail(f"job {job_id} is still {job['status']} after {timeout:g} s")
        time.sleep(delay)
        delay = min(delay * 1.5, 2.0)


def _outcome(job: dict[str, Any]) -> str:
    if job["status"] != "SUCCEEDED":
        return f"Ingest job {job['jobId']} {job['status']}: {job.get('error') or 'no reason given'}"
    result = job.get("result") or {}
    return (
        f"Ingested {job['resourceId']}: {result.get('findings', 0)} vulnerabilities observed, "
        f"{result.get('created', 0)} new findings, {result.get('closed', 0)} closed."
    )


def _show(document: Any, as_json: bool, line: str) -> None:
    click.echo(json.dumps(document, indent=2) if as_json else line)


def _table(found: list[dict[str, Any]]) -> None:
    # Plain columns with the resource id last and whole: ids (ARNs) are long, and a table
    # squeezed to the terminal's width would cut them; this also reads well through a pipe.
    if not found:
        click.echo("No resources.")
        return
    click.echo(
        f"{'ACCOUNT':<12}  {'TYPE':<23}  {'STATUS':<28}  {'PACKAGES':>8}  "
        f"{'LAST SCANNED':<16}  RESOURCE"
    )
    for item in found:
        status = item["scanStatus"]
        packages = "-" if item["packageCount"] is None else str(item["packageCount"])
        scanned = (item["lastScannedAt"] or "never")[:16].replace("T", " ")
        click.echo(
            f"{item['accountId']:<12}  {item['resourceType']:<23}  "
            f"{status['statusCode'] + ' ' + status['reason']:<28}  {packages:>8}  "
            f"{scanned:<16}  {item['resourceId']}"
        )
