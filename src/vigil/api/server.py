"""Serving the API with uvicorn: in the foreground, or in a thread (tests, embedded use)."""

from __future__ import annotations

import socket
import threading
import time

import uvicorn
from starlette.applications import Starlette


def serve(app: Starlette, host: str = "127.0.0.1", port: int = 8080) -> None:
    """Serve until interrupted (SIGINT/SIGTERM stop it gracefully)."""
    uvicorn.Server(_config(app, host, port)).run()


class ServerThread:
    """A uvicorn server on a free loopback port, run in a daemon thread; a context manager."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1") -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this; without it a response's header and body segments
        # meet the client's delayed ACK and every request waits about 40 ms.
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind((host, 0))
        self.host = host
        self.port: int = self._socket.getsockname()[1]
        self._server = uvicorn.Server(_config(app, host, self.port))
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the API server did not start on {self.url}")
            time.sleep(0.01)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self._socket.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _config(app: Starlette, host: str, port: int) -> uvicorn.Config:
    # Access lines carry paths and query strings only; Authorization headers are never logged.
    return uvicorn.Config(app, host=host, port=port, lifespan="off", log_level="warning")
