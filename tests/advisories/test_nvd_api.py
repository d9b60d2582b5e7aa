"""The NVD CVE API 2.0 source against a loopback server that pages like NVD does."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests.advisories.conftest import Clock
from vigil.advisories.enrich import sync_enrichment
from vigil.advisories.errors import CorruptArchive
from vigil.advisories.sources.http import Downloader, Retry
from vigil.advisories.sources.nvd import NvdApiSource, windows
from vigil.advisories.store import AdvisoryStore

FIXTURES = Path(__file__).parent / "fixtures" / "nvd"


class NvdServer:
    """Serves ``cves`` in pages, filtered by nothing but paging; logs every query."""

    def __init__(self) -> None:
        self.cves: list[dict[str, Any]] = [
            json.loads(p.read_text()) for p in sorted(FIXTURES.glob("CVE-*.json"))
        ]
        self.queries: list[dict[str, str]] = []
        self.keys: list[str | None] = []
        self.broken = False
        nvd = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                nvd.queries.append(query)
                nvd.keys.append(self.headers.get("apiKey"))
                start, size = int(query["startIndex"]), int(query["resultsPerPage"])
                chunk = nvd.cves[start : start + size]
                page = {
                    "resultsPerPage": len(chunk),
                    "startIndex": start,
                    "totalResults": len(nvd.cves),
                    "format": "NVD_CVE",
                    "version": "2.0",
                    "timestamp": "2025-11-01T00:00:00.000",
                    "vulnerabilities": [{"cve": c} for c in chunk],
                }
                body = b"<html>busy</html>" if nvd.broken else json.dumps(page).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/rest/json/cves/2.0"


@pytest.fixture
def nvd() -> Iterator[NvdServer]:
    server = NvdServer()
    server._thread.start()
    yield server
    server._server.shutdown()
    server._server.server_close()


@pytest.fixture
def downloader() -> Iterator[Downloader]:
    client = Downloader(timeout=5.0, retry=Retry(attempts=1), sleep=lambda _: None)
    yield client
    client.close()


def test_windows_respect_the_120_day_limit(clock: Clock) -> None:
    start = clock()
    spans = windows(start, start + timedelta(days=250))
    assert [(b - a).days for a, b in spans] == [120, 120, 10]
    assert spans[0][1] == spans[1][0]


def test_first_sync_pages_through_everything_then_windows_from_the_watermark(
    tmp_path: Path, nvd: NvdServer, downloader: Downloader, clock: Clock
) -> None:
    pauses: list[float] = []
    source = NvdApiSource(
        base_url=nvd.url,
        api_key="k-123",
        downloader=downloader,
        page_size=2,
        sleep=pauses.append,
        clock=clock,
    )
    with AdvisoryStore(tmp_path / "a.db", clock=clock) as store:
        first = sync_enrichment(store, source)
        assert first.diff.added == ("CVE-2021-21330", "CVE-2025-0168", "CVE-2025-48384")
        assert [(q["startIndex"], q["resultsPerPage"]) for q in nvd.queries] == [
            ("0", "2"),
            ("2", "2"),
        ]
        assert "lastModStartDate" not in nvd.queries[0]
        assert nvd.keys == ["k-123", "k-123"]
        assert pauses == [0.6]  # with a key NVD allows 50 requests in 30 s

        nvd.queries.clear()
        clock.now += timedelta(days=200)
        second = sync_enrichment(store, source)
        assert second.diff.is_empty  # the same records again: nothing changed
        spans = [(q["lastModStartDate"], q["lastModEndDate"]) for q in nvd.queries]
        assert len(set(spans)) == 2  # 200 days: two windows
        assert spans[0][0].endswith("+00:00")
        nvd.cves = []
        nvd.queries.clear()
        clock.now += timedelta(days=1)
        assert sync_enrichment(store, source).unchanged


def test_a_page_that_is_not_json_fails_the_fetch(
    tmp_path: Path, nvd: NvdServer, downloader: Downloader, clock: Clock
) -> None:
    nvd.broken = True
    source = NvdApiSource(base_url=nvd.url, downloader=downloader, clock=clock)
    with AdvisoryStore(tmp_path / "a.db", clock=clock) as store:
        with pytest.raises(CorruptArchive, match="not a CVE page"):
            sync_enrichment(store, source)
        assert store.enrichment("CVE-2021-21330").nvd is None
        assert store.source_state("nvd") is None
