"""Shared by the ``vigil db`` and ``vigil vuln`` tests (no tests here): real advisory data laid
out as the sources publish it, a loopback server for it, and a way to run the command."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from tests.advisories.conftest import OSV, load_docs
from tests.advisories.export_server import ExportServer, build_listing, build_zip
from vigil.cli.main import cli

KEV = OSV / "kev" / "known_exploited_vulnerabilities.json"
FIXTURES = Path(__file__).parent.parent / "advisories" / "fixtures"
EPSS_CSV = FIXTURES / "epss" / "epss_scores-excerpt.csv"
ECOSYSTEMS = {"PyPI": "pypi", "Go": "go"}


def run(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    """``vigil ARGS`` in this process; stdout and stderr apart."""
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)


def nvd_page() -> dict[str, Any]:
    cves = [json.loads(p.read_text()) for p in sorted((FIXTURES / "nvd").glob("CVE-*.json"))]
    return {
        "resultsPerPage": len(cves),
        "startIndex": 0,
        "totalResults": len(cves),
        "format": "NVD_CVE",
        "version": "2.0",
        "timestamp": "2025-11-01T00:00:00.000",
        "vulnerabilities": [{"cve": c} for c in cves],
    }


def write_inputs(folder: Path) -> dict[str, Path]:
    """The enrichment files as they are published: EPSS gzipped, an NVD 2.0 feed gzipped."""
    folder.mkdir(parents=True, exist_ok=True)
    epss = folder / "epss_scores-current.csv.gz"
    epss.write_bytes(gzip.compress(EPSS_CSV.read_bytes()))
    nvd = folder / "nvdcve-2.0-modified.json.gz"
    nvd.write_bytes(gzip.compress(json.dumps(nvd_page()).encode()))
    return {"epss": epss, "nvd": nvd, "kev": KEV}


def build_args(folder: Path) -> list[str]:
    """``--from`` arguments for a store of every real OSV record and the enrichment files."""
    inputs = write_inputs(folder)
    specs: list[str | Path] = [*(OSV / f for f in ("pypi", "npm", "go", "alpine", "debian"))]
    specs += [inputs["kev"], inputs["epss"], inputs["nvd"]]
    return [a for spec in specs for a in ("--from", str(spec))]


class _IgnoringQuery(dict[str, bytes]):
    """The NVD API is asked with paging and time-window parameters; one page answers them all."""

    def get(self, key: str, default: Any = None) -> Any:
        path = key.partition("?")[0]
        return super().get(path if path == "/nvd" else key, default)


def serve_sources(server: ExportServer) -> None:
    server.files = _IgnoringQuery()
    for ecosystem, folder in ECOSYSTEMS.items():
        docs = load_docs(folder)
        server.files[f"/osv/{ecosystem}/all.zip"] = build_zip(docs)
        server.files[f"/osv/{ecosystem}/modified_id.csv"] = build_listing(docs)
    server.files["/kev.json"] = KEV.read_bytes()
    server.files["/epss.csv.gz"] = gzip.compress(EPSS_CSV.read_bytes())
    server.files["/nvd"] = json.dumps(nvd_page()).encode()


@contextmanager
def advisory_server() -> Iterator[ExportServer]:
    server = ExportServer()
    serve_sources(server)
    with server.running():
        yield server


def source_args(server: ExportServer) -> list[str]:
    base = server.base_url
    return [
        "--osv-url", f"{base}/osv",
        "--nvd-url", f"{base}/nvd",
        "--epss-url", f"{base}/epss.csv.gz",
        "--kev-url", f"{base}/kev.json",
        "--timeout", "5",
    ]  # fmt: skip
