"""KEV, EPSS and NVD enrichment: parsing real files, syncing them, joining them to a CVE."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.advisories.conftest import OSV, Clock, load_advisories
from tests.advisories.export_server import ExportServer
from vigil.advisories.enrich import sync_enrichment
from vigil.advisories.errors import SyncError
from vigil.advisories.sources.epss import EpssSource
from vigil.advisories.sources.http import Downloader, Retry
from vigil.advisories.sources.kev import KevSource
from vigil.advisories.sources.nvd import NvdFeedSource, read_nvd
from vigil.advisories.store import AdvisoryStore

OpenStore = Callable[..., AdvisoryStore]
FIXTURES = Path(__file__).parent / "fixtures"
KEV = OSV / "kev" / "known_exploited_vulnerabilities.json"


def nvd_cves() -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((FIXTURES / "nvd").glob("CVE-*.json"))]


def nvd_feed(cves: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resultsPerPage": len(cves),
        "startIndex": 0,
        "totalResults": len(cves),
        "format": "NVD_CVE",
        "version": "2.0",
        "timestamp": "2025-11-01T00:00:00.000",
        "vulnerabilities": [{"cve": c} for c in cves],
    }


def kev_catalog() -> dict[str, Any]:
    catalog: dict[str, Any] = json.loads(KEV.read_text())
    return catalog


@pytest.fixture
def downloader() -> Iterator[Downloader]:
    client = Downloader(timeout=5.0, retry=Retry(attempts=2, backoff=0.01), sleep=lambda _: None)
    yield client
    client.close()


def test_the_kev_catalog(open_store: OpenStore, tmp_path: Path, clock: Clock) -> None:
    store = open_store()
    report = sync_enrichment(store, KevSource(str(KEV), clock=clock))
    assert report.failures == ()
    assert len(report.diff.added) == 1404
    kev = store.enrichment("CVE-2025-48384").kev
    assert kev is not None
    assert (kev.vendor, kev.product, kev.date_added, kev.due_date) == (
        "Git",
        "Git",
        date(2025, 8, 25),
        date(2025, 9, 15),
    )
    assert kev.required_action.startswith("Apply mitigations per vendor instructions")
    assert kev.cwes == ("CWE-59", "CWE-436")
    assert store.enrichment("CVE-2021-21330").kev is None
    assert sync_enrichment(store, KevSource(str(KEV), clock=clock)).unchanged


def test_a_changed_catalog_gives_an_exact_diff(open_store: OpenStore, tmp_path: Path) -> None:
    store = open_store()
    sync_enrichment(store, KevSource(str(KEV)))
    catalog = kev_catalog()
    entries = catalog["vulnerabilities"]
    dropped = entries.pop(1)["cveID"]
    entries[0]["dueDate"] = "2025-10-01"
    entries.append({**entries[2], "cveID": "CVE-2099-0001"})
    del entries[3]["dateAdded"]  # malformed: reported, and its stored row kept
    broken = entries[3]["cveID"]
    path = tmp_path / "kev.json"
    path.write_text(json.dumps(catalog))
    report = sync_enrichment(store, KevSource(str(path)))
    assert report.diff.added == ("CVE-2099-0001",)
    assert report.diff.changed == ("CVE-2025-48384",)
    assert report.diff.removed == (dropped,)
    assert [(f.record_id, f.reason) for f in report.failures] == [(broken, "dateAdded: missing")]
    assert store.enrichment(broken).kev is not None
    assert store.enrichment(dropped).kev is None
    kev = store.enrichment("CVE-2025-48384").kev
    assert kev is not None
    assert kev.due_date == date(2025, 10, 1)


def test_a_truncated_catalog_is_refused(open_store: OpenStore, tmp_path: Path) -> None:
    store = open_store()
    sync_enrichment(store, KevSource(str(KEV)))
    catalog = kev_catalog()
    catalog["vulnerabilities"] = catalog["vulnerabilities"][:10]
    path = tmp_path / "kev.json"
    path.write_text(json.dumps(catalog))
    with pytest.raises(SyncError, match="lacks 1394 of the 1404 stored kev rows"):
        sync_enrichment(store, KevSource(str(path)))
    assert store.enrichment("CVE-2025-48384").kev is not None


def epss_gz(tmp_path: Path, extra: str = "") -> Path:
    text = (FIXTURES / "epss" / "epss_scores-excerpt.csv").read_text() + extra
    path = tmp_path / "epss_scores-current.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    return path


def test_epss_scores_from_the_gzipped_daily_file(
    open_store: OpenStore,
    tmp_path: Path,
    server_for: Callable[..., ExportServer],
    downloader: Downloader,
) -> None:
    server = server_for({"/epss_scores-current.csv.gz": epss_gz(tmp_path).read_bytes()})
    source = EpssSource(f"{server.base_url}/epss_scores-current.csv.gz", downloader=downloader)
    store = open_store()
    report = sync_enrichment(store, source)
    assert len(report.diff.added) == 29
    epss = store.enrichment("CVE-2022-0847").epss
    assert epss is not None
    assert (epss.score, epss.percentile, epss.scored_on) == (0.92795, 0.99828, date(2026, 9, 29))
    assert sync_enrichment(store, source).unchanged
    assert [s for _, s in server.requests()] == [200, 304]


def test_malformed_epss_rows_are_named(open_store: OpenStore, tmp_path: Path) -> None:
    store = open_store()
    path = epss_gz(tmp_path, extra="CVE-2022-9999,high,0.5\nnot-a-cve,0.1,0.2\n")
    report = sync_enrichment(store, EpssSource(str(path)))
    assert [(f.record_id, f.location) for f in report.failures] == [
        ("CVE-2022-9999", "epss_scores-current.csv.gz:32"),
        (None, "epss_scores-current.csv.gz:33"),
    ]
    assert "not numbers" in report.failures[0].reason
    assert len(report.diff.added) == 29


def test_nvd_records(tmp_path: Path) -> None:
    path = tmp_path / "nvdcve-2.0-recent.json.gz"
    path.write_bytes(gzip.compress(json.dumps(nvd_feed(nvd_cves())).encode()))
    records = {r.id: r for r in read_nvd(path) if not hasattr(r, "reason")}
    aiohttp = records["CVE-2021-21330"]
    assert aiohttp.status == "Modified"
    assert aiohttp.cwes == ("CWE-601",)
    assert len(aiohttp.references) == 8
    assert aiohttp.description is not None
    assert aiohttp.description.startswith("aiohttp is an asynchronous HTTP client/server")
    assert [(s.version, s.scorer, s.base_score, s.primary) for s in aiohttp.cvss] == [
        ("3.1", "nvd@nist.gov", 6.1, True),
        ("3.1", "security-advisories@github.com", 3.1, False),
        ("2.0", "nvd@nist.gov", 5.8, True),
    ]
    assert aiohttp.cvss[2].severity == "MEDIUM"  # v2 keeps it beside cvssData
    v4 = records["CVE-2025-0168"].cvss[0]
    assert (v4.version, v4.base_score, v4.vector[:18]) == ("4.0", 5.3, "CVSS:4.0/AV:N/AC:L")
    assert records["CVE-2025-48384"].last_modified.tzinfo is not None


def test_nvd_feed_sync_joins_the_osv_group(open_store: OpenStore, tmp_path: Path) -> None:
    store = open_store()
    with store.batch("osv", complete=False) as batch:
        for advisory in load_advisories("pypi"):
            batch.put(advisory)
        batch.commit(None)
    cves = nvd_cves()
    broken = {**cves[0], "lastModified": "soon"}
    path = tmp_path / "nvd.json"
    path.write_text(json.dumps(nvd_feed([broken, *cves[1:]])))
    first = sync_enrichment(store, NvdFeedSource(str(path)))
    assert first.diff.added == ("CVE-2025-0168", "CVE-2025-48384")
    assert [f.record_id for f in first.failures] == ["CVE-2021-21330"]
    path.write_text(json.dumps(nvd_feed(cves)))
    second = sync_enrichment(store, NvdFeedSource(str(path)))
    assert (second.diff.added, second.diff.changed) == (("CVE-2021-21330",), ())
    group = store.group("PYSEC-2021-76")
    assert group is not None
    nvd = store.enrichment(group.id).nvd
    assert nvd is not None
    assert nvd.cvss[0].vector == "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"
    # A new lastModified with new scores replaces the CVSS rows, it does not add to them.
    cves[0]["lastModified"] = "2025-12-01T00:00:00.000"
    cves[0]["metrics"] = {"cvssMetricV31": cves[0]["metrics"]["cvssMetricV31"][:1]}
    path.write_text(json.dumps(nvd_feed(cves)))
    third = sync_enrichment(store, NvdFeedSource(str(path)))
    assert third.diff.changed == ("CVE-2021-21330",)
    nvd = store.enrichment("CVE-2021-21330").nvd
    assert nvd is not None
    assert len(nvd.cvss) == 1


@pytest.fixture
def server_for() -> Iterator[Callable[..., ExportServer]]:
    started: list[Any] = []

    def start(files: dict[str, bytes]) -> ExportServer:
        server = ExportServer()
        server.files = files
        context = server.running()
        context.__enter__()
        started.append(context)
        return server

    yield start
    for context in started:
        context.__exit__(None, None, None)
