"""A real HTTP server on loopback that plays an OSV export bucket, with scripted faults.

Files are served with an ETag and a GCS-style ``x-goog-hash: md5=…`` header and honour
``If-None-Match``. ``faults[path]`` is a queue of misbehaviours used up one per request:
``"503"`` (any status), ``"drop"`` (headers and half the body, then the socket is closed),
``"bad-md5"`` (a wrong checksum header), ``"slow"`` (sleep before answering).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import socket
import threading
import time
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote


def build_zip(docs: Iterable[dict[str, Any]], extra: dict[str, bytes] | None = None) -> bytes:
    """An OSV ``all.zip``: one ``<id>.json`` member per record, plus any ``extra`` members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for doc in docs:
            archive.writestr(f"{doc['id']}.json", json.dumps(doc, indent=1))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def build_listing(docs: Iterable[dict[str, Any]]) -> bytes:
    """``modified_id.csv``: ``<modified>,<id>``, newest first, as the export writes it."""
    rows = sorted(((d["modified"], d["id"]) for d in docs), reverse=True)
    return "".join(f"{modified},{rid}\n" for modified, rid in rows).encode()


def corrupt_member(zip_bytes: bytes, member: str) -> bytes:
    """Flip a byte inside one member's compressed data: the zip stays readable, its CRC fails."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as archive:
        info = archive.getinfo(member)
    data = bytearray(zip_bytes)
    header = info.header_offset
    name_len = int.from_bytes(data[header + 26 : header + 28], "little")
    extra_len = int.from_bytes(data[header + 28 : header + 30], "little")
    start = header + 30 + name_len + extra_len
    data[start + info.compress_size // 2] ^= 0xFF
    return bytes(data)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up mid-body is what some tests are about


class ExportServer:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.faults: dict[str, list[str]] = {}
        self.log: list[tuple[str, int]] = []
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def requests(self, suffix: str = "") -> list[tuple[str, int]]:
        return [(path, status) for path, status in self.log if path.endswith(suffix)]

    def _next_fault(self, path: str) -> str | None:
        with self._lock:
            queue = self.faults.get(path)
            return queue.pop(0) if queue else None

    def _record(self, path: str, status: int) -> None:
        with self._lock:
            self.log.append((path, status))

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        export = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = unquote(self.path)
                fault = export._next_fault(path)
                if fault == "slow":
                    time.sleep(1.0)
                if fault is not None and fault.isdigit():
                    return self._answer(path, int(fault), b"")
                body = export.files.get(path)
                if body is None:
                    return self._answer(path, 404, b"")
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    return self._answer(path, 304, b"", etag=etag)
                md5 = hashlib.md5(body if fault != "bad-md5" else body + b"x").digest()
                self._answer(path, 200, body, etag=etag, md5=md5, drop=fault == "drop")

            def _answer(
                self,
                path: str,
                status: int,
                body: bytes,
                *,
                etag: str | None = None,
                md5: bytes | None = None,
                drop: bool = False,
            ) -> None:
                export._record(path, status)
                self.send_response(status)
                if etag:
                    self.send_header("ETag", etag)
                if md5:
                    self.send_header("x-goog-hash", "md5=" + base64.b64encode(md5).decode())
                self.send_header("Content-Length", str(len(body) if status != 304 else 0))
                self.end_headers()
                if status == 304:
                    return
                if drop:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                self.wfile.write(body)

        return Handler

    @contextmanager
    def running(self) -> Iterator[ExportServer]:
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
