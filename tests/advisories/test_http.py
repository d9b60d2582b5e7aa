from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.advisories.export_server import ExportServer
from vigil.advisories.errors import DownloadError
from vigil.advisories.sources.http import Downloader, HttpStatusError, Retry

BODY = bytes(range(256)) * 400


@pytest.fixture
def server() -> Iterator[ExportServer]:
    export = ExportServer()
    export.files["/PyPI/all.zip"] = BODY
    with export.running():
        yield export


@pytest.fixture
def make() -> Iterator[Callable[..., Downloader]]:
    made: list[Downloader] = []

    def downloader(
        sleeps: list[float] | None = None, *, attempts: int = 3, timeout: float = 5.0, **kw: Any
    ) -> Downloader:
        sleep = sleeps.append if sleeps is not None else (lambda _: None)
        made.append(
            Downloader(
                timeout=timeout, retry=Retry(attempts=attempts, backoff=0.01), sleep=sleep, **kw
            )
        )
        return made[-1]

    yield downloader
    for each in made:
        each.close()


def test_download_then_not_modified(
    server: ExportServer, tmp_path: Path, make: Callable[..., Downloader]
) -> None:
    sleeps: list[float] = []
    client = make(sleeps)
    got = client.download(f"{server.base_url}/PyPI/all.zip", tmp_path / "a")
    assert got is not None
    assert (got.size, got.path.read_bytes() == BODY) == (len(BODY), True)
    assert got.etag is not None
    again = client.download(f"{server.base_url}/PyPI/all.zip", tmp_path / "b", etag=got.etag)
    assert again is None
    assert server.requests() == [("/PyPI/all.zip", 200), ("/PyPI/all.zip", 304)]
    assert sleeps == []


def test_server_errors_are_retried_with_backoff(
    server: ExportServer, tmp_path: Path, make: Callable[..., Downloader]
) -> None:
    server.faults["/PyPI/all.zip"] = ["503", "500"]
    sleeps: list[float] = []
    got = make(sleeps).download(f"{server.base_url}/PyPI/all.zip", tmp_path / "a")
    assert got is not None
    assert got.path.read_bytes() == BODY
    assert sleeps == [0.01, 0.02]
    assert [s for _, s in server.requests()] == [503, 500, 200]


def test_a_dropped_connection_is_retried(
    server: ExportServer, tmp_path: Path, make: Callable[..., Downloader]
) -> None:
    server.faults["/PyPI/all.zip"] = ["drop"]
    got = make().download(f"{server.base_url}/PyPI/all.zip", tmp_path / "a")
    assert got is not None
    assert got.path.read_bytes() == BODY


def test_giving_up_says_why(
    server: ExportServer, tmp_path: Path, make: Callable[..., Downloader]
) -> None:
    server.faults["/PyPI/all.zip"] = ["drop"] * 3
    with pytest.raises(DownloadError, match=r"RemoteProtocolError.*after 3 attempts"):
        make().download(f"{server.base_url}/PyPI/all.zip", tmp_path / "a")
    assert not (tmp_path / "a").exists()


def test_a_checksum_mismatch_is_a_failed_attempt(
    server: ExportServer, tmp_path: Path, make: Callable[..., Downloader]
) -> None:
    server.faults["/PyPI/all.zip"] = ["bad-md5", "bad-md5"]
    with pytest.raises(DownloadError, match="MD5 mismatch"):
        make([], attempts=2).download(f"{server.base_url}/PyPI/all.zip", tmp_path / "a")


def test_a_slow_server_times_out(
    server: ExportServer, tmp_path: Path, make: Callable[..., Downloader]
) -> None:
    server.faults["/PyPI/all.zip"] = ["slow", "slow"]
    with pytest.raises(DownloadError, match="ReadTimeout"):
        make([], attempts=2, timeout=0.3).download(
            f"{server.base_url}/PyPI/all.zip", tmp_path / "a"
        )


def test_client_errors_are_not_retried(
    server: ExportServer, tmp_path: Path, make: Callable[..., Downloader]
) -> None:
    sleeps: list[float] = []
    with pytest.raises(HttpStatusError, match="HTTP 404") as caught:
        make(sleeps).download(f"{server.base_url}/PyPI/missing.zip", tmp_path / "a")
    assert caught.value.status == 404
    assert sleeps == []


def test_oversized_bodies_are_abandoned(
    server: ExportServer, tmp_path: Path, make: Callable[..., Downloader]
) -> None:
    with pytest.raises(DownloadError, match="larger than 1000 bytes"):
        make(max_bytes=1000).download(f"{server.base_url}/PyPI/all.zip", tmp_path / "a")
