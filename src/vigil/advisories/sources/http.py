"""Downloading a URL to a file: conditional, retried, bounded, checked.

- Conditional: ``If-None-Match`` / ``If-Modified-Since`` from the previous validators; a 304
  comes back as ``None``.
- Retried with exponential backoff on connection errors, timeouts, truncated bodies, 429 and
  5xx; any other status fails at once.
- Bounded: a body larger than ``max_bytes`` is abandoned.
- Checked: when the server states an MD5 (Google Cloud Storage's ``x-goog-hash``, or
  ``Content-MD5``) the file must match it, or the attempt counts as failed.
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from vigil import __version__
from vigil.advisories.errors import DownloadError

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class HttpStatusError(DownloadError):
    """The server answered with a status that retrying will not change (404, 403…)."""

    def __init__(self, url: str, status: int) -> None:
        self.status = status
        super().__init__(f"{url}: HTTP {status}")


@dataclass(frozen=True, slots=True)
class Retry:
    attempts: int = 4
    backoff: float = 1.0  # seconds before the second attempt; doubles each time
    max_delay: float = 30.0

    def delay(self, attempt: int) -> float:
        return float(min(self.max_delay, self.backoff * 2 ** (attempt - 1)))


@dataclass(frozen=True, slots=True)
class Downloaded:
    path: Path
    size: int
    etag: str | None
    last_modified: str | None


class Downloader:
    """Fetches URLs to files. Thread-safe: one instance may serve parallel downloads."""

    def __init__(
        self,
        client: httpx.Client | None = None,
        *,
        timeout: float = 60.0,
        retry: Retry | None = None,
        max_bytes: int = 8 * 1024**3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._own = client is None
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            headers={"User-Agent": f"vigil/{__version__}"},
        )
        self._retry = retry or Retry()
        self._max_bytes = max_bytes
        self._sleep = sleep

    def close(self) -> None:
        if self._own:
            self._client.close()

    def __enter__(self) -> Downloader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def download(
        self,
        url: str,
        dest: Path,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Downloaded | None:
        """Save ``url`` to ``dest``; ``None`` if the server says it has not changed."""
        headers = dict(headers or {})
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = self._retry.attempts
        problem = "no attempt made"
        for attempt in range(1, attempts + 1):
            try:
                return self._attempt(url, dest, headers)
            except _Retryable as exc:
                problem = str(exc)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            dest.unlink(missing_ok=True)
            if attempt < attempts:
                self._sleep(self._retry.delay(attempt))
        raise DownloadError(f"{url}: {problem} (gave up after {attempts} attempts)")

    def _attempt(self, url: str, dest: Path, headers: dict[str, str]) -> Downloaded | None:
        with self._client.stream("GET", url, headers=headers) as response:
            status = response.status_code
            if status == 304:
                return None
            if status in _RETRY_STATUSES:
                raise _Retryable(f"HTTP {status}")
            if status != 200:
                raise HttpStatusError(url, status)
            digest = hashlib.md5(usedforsecurity=False)
            size = 0
            with dest.open("wb") as out:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > self._max_bytes:
                        raise DownloadError(f"{url}: larger than {self._max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
            expected = _stated_md5(response.headers)
            if expected is not None and expected != digest.digest():
                raise _Retryable(f"MD5 mismatch on {size} bytes received")
            return Downloaded(
                dest, size, response.headers.get("etag"), response.headers.get("last-modified")
            )


class _Retryable(Exception):
    pass


def _stated_md5(headers: httpx.Headers) -> bytes | None:
    # A body the client decoded (Content-Encoding) no longer matches a digest of the stored one.
    if headers.get("content-encoding", "identity") != "identity":
        return None
    values = [*headers.get_list("x-goog-hash", split_commas=True)]
    values += [f"md5={v}" for v in headers.get_list("content-md5")]
    for value in values:
        kind, _, encoded = value.strip().partition("=")
        if kind.lower() == "md5":
            try:
                return base64.b64decode(encoded, validate=True)
            except ValueError:
                return None
    return None
