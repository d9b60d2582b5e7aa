"""Shared by the ``vigil scan`` tests (no tests here): a real advisory store, built once, last
updated on a fixed old day; the targets; and a way to run the command in this process."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.advisories.enriched import build_enriched_store
from vigil.cli.main import cli

DATA = Path(__file__).parent / "data" / "scan"
VULNERABLE = DATA / "debian11"  # Debian 11 openssl and PyPI requests 2.25.1
CLEAN = Path(__file__).parent.parent / "service" / "data" / "rootfs"  # real Debian 12 files
UPDATED = datetime(2025, 1, 1, tzinfo=UTC)  # long ago: --max-db-age of a day refuses it
# Alpine 3.19's curl: one vulnerability without any fix (CVE-2021-22897), seven with one.
ALPINE_SBOM = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.6",
    "version": 1,
    "metadata": {"component": {"type": "container", "name": "alpine:3.19", "bom-ref": "t"}},
    "components": [
        {"type": "operating-system", "name": "alpine", "version": "3.19.1", "bom-ref": "os"},
        {
            "type": "library",
            "name": "curl",
            "version": "8.5.0-r0",
            "purl": "pkg:apk/alpine/curl@8.5.0-r0?arch=x86_64&distro=alpine-3.19.1",
            "bom-ref": "curl",
        },
    ],
}


def build_store(directory: Path) -> Path:
    """Every OSV fixture record with NVD, KEV and EPSS enrichment, synced at ``UPDATED``."""
    return build_enriched_store(directory, UPDATED)


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("scan-db"))


def scan(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """``vigil scan ARGS`` in this process; stdout and stderr apart."""
    runner = CliRunner()
    return runner.invoke(cli, ["scan", *map(str, args)], env=env, catch_exceptions=False)


def ids(findings: list[dict[str, Any]]) -> list[str]:
    return [f["packageVulnerabilityDetails"]["vulnerabilityId"] for f in findings]
