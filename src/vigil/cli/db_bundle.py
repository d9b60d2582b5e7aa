"""``vigil db export``, ``import`` and ``keygen``: signed bundles for air-gapped sites.

Key material is never printed: keys are named by their 16-hex-digit id only.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from vigil.cli.db_options import fail, guarded, store_options
from vigil.service.advisory_bundle import (
    AdvisoryError,
    export_database,
    import_database,
    make_keys,
    verify_bundle,
)

_FILE = click.Path(dir_okay=False, path_type=Path)


@click.command("export")
@click.argument("bundle", type=_FILE)
@click.option(
    "--signing-key",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    metavar="KEY",
    help="Sign with this Ed25519 private key (from `vigil db keygen`).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@store_options
@guarded
def export_command(store: Path, bundle: Path, signing_key: Path | None, as_json: bool) -> None:
    """Write the advisory store to BUNDLE: a compressed, signed file to carry offline."""
    try:
        summary = export_database(store, bundle, signing_key=signing_key)
    except AdvisoryError as exc:
        fail(f"export failed: {exc}")
    if summary.key_exposed:
        click.echo(
            f"vigil: warning: {signing_key}: the private key is readable by other users "
            "(chmod 600 it)",
            err=True,
        )
    if summary.signed_by is None:
        click.echo(
            "vigil: warning: the bundle is NOT signed; importers must pass --allow-unsigned",
            err=True,
        )
    if as_json:
        click.echo(json.dumps({**summary.manifest, "signed_by": summary.signed_by}, indent=2))
        return
    signed = f"signed by key {summary.signed_by}" if summary.signed_by else "unsigned"
    click.echo(f"wrote {bundle}: {summary.records:,} records, {signed}")


@click.command("import")
@click.argument("bundle", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--trusted-key",
    "trusted",
    multiple=True,
    metavar="PUB",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A trusted Ed25519 public key (repeatable: any of them may have signed).",
)
@click.option(
    "--allow-unsigned",
    is_flag=True,
    help="Accept a bundle whose signature is absent or cannot be checked.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the imported manifest as JSON.")
@store_options
@guarded
def import_command(
    store: Path, bundle: Path, trusted: tuple[Path, ...], allow_unsigned: bool, as_json: bool
) -> None:
    """Verify BUNDLE and replace the advisory store with it in one step.

    The signature and every hash are checked before anything is replaced; a tampered, truncated
    or unsigned bundle is refused (exit 1) and the current store is left as it was.
    """
    if not trusted and not allow_unsigned:
        raise click.UsageError("give --trusted-key PUB (or --allow-unsigned, not recommended)")
    try:
        summary = import_database(
            bundle, store, trusted_keys=trusted, allow_unsigned=allow_unsigned
        )
    except AdvisoryError as exc:
        fail(f"import refused: {exc}; the store was not changed")
    if summary.signed_by is None:
        why = "was not signed" if not summary.signature_present else "had no trusted key to check"
        click.echo(
            f"vigil: warning: IMPORTED WITHOUT SIGNATURE CHECK: {bundle} {why}; "
            "its origin is unverified",
            err=True,
        )
    if as_json:
        click.echo(json.dumps({**summary.manifest, "signed_by": summary.signed_by}, indent=2))
        return
    signed = f"signature by key {summary.signed_by} verified" if summary.signed_by else "unsigned"
    click.echo(f"imported {summary.records:,} records into {store} ({signed})")


@click.command("keygen")
@click.option(
    "--out",
    "prefix",
    required=True,
    metavar="PREFIX",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write PREFIX.key (private, mode 0600) and PREFIX.pub.",
)
@guarded
def keygen_command(prefix: Path) -> None:
    """Make an Ed25519 key pair for signing bundles; existing files are never overwritten."""
    try:
        pair = make_keys(prefix)
    except AdvisoryError as exc:
        fail(str(exc))
    click.echo(f"key {pair.id}: private {pair.private_path}, public {pair.public_path}")


@click.command("verify")
@click.argument("bundle", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--trusted-key",
    "trusted",
    multiple=True,
    metavar="PUB",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A trusted Ed25519 public key (repeatable).",
)
@click.option("--allow-unsigned", is_flag=True, help="Accept a bundle without a checked signature.")
@click.option("--json", "as_json", is_flag=True, help="Print the manifest as JSON.")
@guarded
def verify_command(
    bundle: Path, trusted: tuple[Path, ...], allow_unsigned: bool, as_json: bool
) -> None:
    """Check BUNDLE's signature and hashes as an import would, without importing it."""
    if not trusted and not allow_unsigned:
        raise click.UsageError("give --trusted-key PUB (or --allow-unsigned)")
    try:
        summary = verify_bundle(bundle, trusted_keys=trusted, allow_unsigned=allow_unsigned)
    except AdvisoryError as exc:
        fail(f"{bundle}: refused: {exc}")
    if as_json:
        click.echo(json.dumps({**summary.manifest, "signed_by": summary.signed_by}, indent=2))
        return
    signed = f"signature by key {summary.signed_by} verified" if summary.signed_by else "UNSIGNED"
    built = summary.manifest["store"]["built_at"]
    click.echo(f"{bundle}: sound; {summary.records:,} records built {built}; {signed}")
