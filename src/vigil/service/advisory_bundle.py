"""Moving the advisory store to an air-gapped site: keys, signed export, verified import."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vigil.advisories.bundle import export_bundle
from vigil.advisories.bundle_import import import_bundle, read_bundle
from vigil.advisories.bundle_keys import (
    KeyFileError,
    KeyPair,
    generate,
    load_signing_key,
    load_verify_key,
)
from vigil.advisories.bundle_manifest import BundleError, Manifest, summary_json
from vigil.advisories.clock import Clock, utcnow
from vigil.advisories.errors import AdvisoryError, StoreError

__all__ = [
    "AdvisoryError",
    "BundleError",
    "ExportSummary",
    "ImportSummary",
    "KeyFileError",
    "KeyPair",
    "StoreError",
    "export_database",
    "import_database",
    "make_keys",
    "verify_bundle",
]


@dataclass(frozen=True, slots=True)
class ExportSummary:
    bundle: Path
    signed_by: str | None
    key_exposed: bool  # the private key file is readable by others
    manifest: dict[str, Any]
    records: int


@dataclass(frozen=True, slots=True)
class ImportSummary:
    store: Path
    signed_by: str | None
    signature_present: bool
    manifest: dict[str, Any]
    records: int


def _manifest_json(manifest: Manifest) -> dict[str, Any]:
    return {
        "exported_at": manifest.exported_at,
        "vigil_version": manifest.vigil_version,
        "store": summary_json(manifest.store),
        "payload": {
            "name": manifest.payload.name,
            "compression": manifest.payload.compression,
            "size": manifest.payload.size,
            "sha256": manifest.payload.sha256,
            "store_size": manifest.payload.store_size,
            "store_sha256": manifest.payload.store_sha256,
        },
    }


def make_keys(prefix: Path) -> KeyPair:
    return generate(prefix)


def export_database(
    store_path: Path, out: Path, *, signing_key: Path | None = None, clock: Clock = utcnow
) -> ExportSummary:
    """Export the store at ``store_path`` as a bundle, signed when a key file is given."""
    key = load_signing_key(signing_key) if signing_key is not None else None
    if not store_path.exists():
        raise StoreError(f"{store_path}: no advisory store here")
    manifest = export_bundle(store_path, out, signing_key=key, clock=clock)
    return ExportSummary(
        bundle=out,
        signed_by=key.id if key else None,
        key_exposed=key.exposed if key else False,
        manifest=_manifest_json(manifest),
        records=manifest.store.records,
    )


def import_database(
    bundle: Path, store_path: Path, *, trusted_keys: Sequence[Path], allow_unsigned: bool = False
) -> ImportSummary:
    """Verify ``bundle`` against the trusted public keys and swap its store in."""
    trusted = [load_verify_key(path) for path in trusted_keys]
    result = import_bundle(bundle, store_path, trusted=trusted, allow_unsigned=allow_unsigned)
    return ImportSummary(
        store=store_path,
        signed_by=result.signed_by,
        signature_present=result.signature_present,
        manifest=_manifest_json(result.manifest),
        records=result.manifest.store.records,
    )


def verify_bundle(
    bundle: Path, *, trusted_keys: Sequence[Path], allow_unsigned: bool = False
) -> ImportSummary:
    """Every check ``import_database`` makes before it writes anything; nothing is written."""
    trusted = [load_verify_key(path) for path in trusted_keys]
    manifest, signer, signed = read_bundle(bundle, trusted=trusted, allow_unsigned=allow_unsigned)
    return ImportSummary(bundle, signer, signed, _manifest_json(manifest), manifest.store.records)
