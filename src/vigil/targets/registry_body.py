"""A registry blob as a readable stream: one streaming GET, read in chunks, closed when done."""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from vigil.targets.errors import CorruptArchive, ImageNotFound, TargetNotFound

CHUNK = 256 * 1024


class BlobBody:
    def __init__(self, client: httpx.Client, url: str) -> None:
        self._url = url
        try:
            self._response = client.send(client.build_request("GET", url), stream=True)
        except httpx.HTTPError as exc:
            raise TargetNotFound(f"{url}: {exc}") from exc
        if self._response.status_code != 200:
            self._response.close()
            if self._response.status_code == 404:
                raise ImageNotFound(f"{url}: blob not found")
            raise TargetNotFound(f"{url}: HTTP {self._response.status_code}")
        self._chunks: Iterator[bytes] = self._response.iter_raw(CHUNK)
        self._buf = b""

    def read(self, size: int = -1, /) -> bytes:
        while size < 0 or len(self._buf) < size:
            try:
                chunk = next(self._chunks, b"")
            except httpx.HTTPError as exc:
                raise CorruptArchive(f"{self._url}: download failed ({exc})") from exc
            if not chunk:
                break
            self._buf += chunk
        if size < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:size], self._buf[size:]
        return out

    def close(self) -> None:
        self._response.close()
