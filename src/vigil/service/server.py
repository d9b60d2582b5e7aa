"""One Vigil process: the service database, the advisory store, the job workers and schedules,
and the API, assembled from one set of settings and shut down gracefully.

``open()`` brings everything up in order: the data directory and master key; the database,
migrated to the newest schema; the advisory store (the data directory's, created empty if
absent and kept current by the scheduled sync, or an explicit file used as it is); the embedded
job backend, which first requeues whatever a previous process left running; the first admin
key when the database holds none. ``serve()`` answers HTTP until SIGTERM or SIGINT, then stops
accepting, lets in-flight requests and jobs finish within ``shutdown_timeout`` and leaves the
rest queued (or RUNNING, requeued at the next start) before it returns.

The API application is built by a factory the caller passes in (``vigil.cli.server`` passes
the API room's), because this room must not import the API.
"""

from __future__ import annotations

import functools
import gc
import os
import signal
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from types import FrameType

import uvicorn
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from starlette.types import ASGIApp

from vigil.advisories.store import AdvisoryStore
from vigil.db.checkpoint import WalCheckpointer
from vigil.db.engine import open_engine
from vigil.db.migrate import current, upgrade
from vigil.db.tables import access_keys
from vigil.jobs import FILENAME, EmbeddedBackend, JobId, RunnerSettings
from vigil.service.advisory_config import SourceConfig
from vigil.service.api_context import ApiServices
from vigil.service.data_dir import advisory_store_path
from vigil.service.database import database_url
from vigil.service.job_handlers import DEFAULT_SYNC_INTERVAL, ServiceJobs, advisory_schedule
from vigil.service.job_requests import reevaluate_on_new_version
from vigil.service.keys import IssuedKey, KeyService
from vigil.service.master_key import load_master_key
from vigil.service.uploads import UploadService

DEFAULT_PORT = 8080
DEFAULT_REGION = "us-east-1"
FIRST_ACCOUNT = "123456789012"
DEFAULT_SHUTDOWN_TIMEOUT = 30.0

AppFactory = Callable[[ApiServices, UploadService], ASGIApp]


EVALUATED_WITH = "evaluated-with"  # the Vigil build that last evaluated the fleet


@dataclass(frozen=True, slots=True)
class ServerSettings:
    data_dir: Path
    database_url: str | None = None
    advisory_db: Path | None = None  # None: DATA_DIR/advisories.db, kept current by the sync
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT  # 0: any free port (the one taken is in ``Started.url``)
    workers: int = 2
    region: str = DEFAULT_REGION
    sync: bool | None = None  # None: sync the data directory's store, not an explicit file
    sync_interval: timedelta = DEFAULT_SYNC_INTERVAL
    sources: SourceConfig = field(default_factory=SourceConfig)
    shutdown_timeout: float = DEFAULT_SHUTDOWN_TIMEOUT
    first_key: bool = True
    first_account: str = FIRST_ACCOUNT

    @property
    def syncing(self) -> bool:
        return self.advisory_db is None if self.sync is None else self.sync


@dataclass(frozen=True, slots=True)
class Started:
    """What ``open()`` did, for the operator."""

    url: str
    data_dir: Path
    database: str  # the URL without its password
    schema_before: str | None
    schema_now: str | None
    advisory_db: Path
    advisory_created: bool
    sync_interval: timedelta | None
    workers: int
    recovered: list[JobId]
    first_key: IssuedKey | None
    key_count: int


class ServerError(Exception):
    """The server cannot start as configured (the message says why)."""


class VigilServer:
    def __init__(self, settings: ServerSettings, make_app: AppFactory) -> None:
        self.settings = settings
        self.make_app = make_app
        self._engine: Engine | None = None
        self._checkpointer: WalCheckpointer | None = None
        self._jobs: ServiceJobs | None = None
        self._backend: EmbeddedBackend | None = None
        self._socket: socket.socket | None = None
        self._uvicorn: uvicorn.Server | None = None

    def open(self) -> Started:
        try:
            return self._open()
        except BaseException:
            self.close()
            raise

    def _open(self) -> Started:
        settings = self.settings
        data_dir = settings.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        master = load_master_key(data_dir)
        url = database_url(data_dir, settings.database_url)
        self._engine = engine = open_engine(url)
        before = current(engine)
        upgrade(engine)
        self._checkpointer = WalCheckpointer(engine)
        self._checkpointer.start()
        keys = KeyService(engine, master)
        store, created = self._advisory_store()
        self._jobs = jobs = ServiceJobs(engine, store, sources=settings.sources)
        schedules = [advisory_schedule(settings.sync_interval)] if settings.syncing else []
        self._backend = backend = EmbeddedBackend(
            data_dir / FILENAME,
            jobs.registry(),
            RunnerSettings(workers=settings.workers),
            schedules=schedules,
        )
        jobs.attach(backend)
        recovered = backend.start()
        # A new build of the catalogers or the matcher re-decides every stored inventory once.
        reevaluate_on_new_version(backend, data_dir / EVALUATED_WITH)
        first = None
        count = _key_count(engine)
        if settings.first_key and count == 0:
            first = keys.issue(settings.first_account, "admin", "first admin key, made at start")
            count = 1
        services = ApiServices(
            engine=engine,
            keys=keys,
            jobs=backend,
            advisories=functools.partial(AdvisoryStore, store, create=False),
        )
        app = self.make_app(services, UploadService(engine, backend))
        self._socket = _listen(settings.host, settings.port)
        port = self._socket.getsockname()[1]
        self._uvicorn = uvicorn.Server(
            uvicorn.Config(
                app,
                host=settings.host,
                port=port,
                lifespan="off",
                log_level="warning",
                timeout_graceful_shutdown=max(int(settings.shutdown_timeout), 1),
            )
        )
        # Everything alive now (modules, models, the app) lives as long as the process: moved out
        # of the collector's sight, a full collection walks only what requests and jobs leave,
        # instead of pausing a request for 70-100 ms to walk the whole heap.
        gc.collect()
        gc.freeze()
        shown_host = f"[{settings.host}]" if ":" in settings.host else settings.host
        return Started(
            url=f"http://{shown_host}:{port}",
            data_dir=data_dir,
            database=make_url(url).render_as_string(hide_password=True),
            schema_before=before,
            schema_now=current(engine),
            advisory_db=store,
            advisory_created=created,
            sync_interval=settings.sync_interval if settings.syncing else None,
            workers=settings.workers,
            recovered=recovered,
            first_key=first,
            key_count=count,
        )

    def serve(self, on_ready: Callable[[], None] = lambda: None) -> bool:
        """Answer requests until SIGTERM/SIGINT, then shut down; True when every running job
        finished within the timeout (the others resume at the next start).

        ``on_ready`` runs once the socket listens and the signals are handled, so whatever it
        announces is true: a client may connect, and a SIGTERM is a graceful stop.
        """
        if self._uvicorn is None or self._socket is None:
            raise RuntimeError("open() the server first")
        previous = {sig: signal.signal(sig, self._on_signal) for sig in _SIGNALS}
        try:
            on_ready()
            # uvicorn takes the signals over while it runs and re-raises the one it caught once
            # it is done; the handlers above then take it, instead of the default ending the
            # process before the jobs are stopped. A signal that came before uvicorn ran has set
            # should_exit, so it stops at once.
            self._uvicorn.run(sockets=[self._socket])
        finally:
            finished = self.close()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return finished

    def close(self) -> bool:
        """Stop the workers (waiting for running jobs), then release everything; idempotent."""
        finished = True
        if self._backend is not None:
            finished = self._backend.stop(self.settings.shutdown_timeout)
            self._backend.queue.close()
            self._backend = None
        if self._jobs is not None:
            self._jobs.close()
            self._jobs = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        if self._checkpointer is not None:
            self._checkpointer.stop()
            self._checkpointer = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        return finished

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True

    def _advisory_store(self) -> tuple[Path, bool]:
        settings = self.settings
        path = advisory_store_path(settings.data_dir, settings.advisory_db)
        if path.exists():
            return path, False
        if not settings.syncing:
            raise ServerError(
                f"no advisory store at {path}: run `vigil db sync` or `vigil db import`, "
                "or let the server sync it (--sync)"
            )
        # An empty store matches nothing; the first sync's diff then re-evaluates everything,
        # so resources uploaded before it lands get their findings as soon as it does.
        AdvisoryStore(path, create=True).close()
        return path, True


_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _key_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(access_keys)).scalar_one())


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it; without it small responses wait on delayed ACKs.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServerError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    # Listening now, not when uvicorn's loop starts: a client told the address may connect at
    # once and waits in the backlog instead of being refused.
    sock.listen(2048)
    sock.set_inheritable(False)
    return sock


def sources_from_env(env: Mapping[str, str] | None = None) -> SourceConfig:
    """The sync sources ``vigil db sync`` would use: its ``VIGIL_*_URL`` variables and
    ``VIGIL_NVD_API_KEY``, else the public services."""
    env = os.environ if env is None else env
    defaults = SourceConfig()
    return SourceConfig(
        osv_url=env.get("VIGIL_OSV_URL") or defaults.osv_url,
        nvd_url=env.get("VIGIL_NVD_URL") or defaults.nvd_url,
        epss_url=env.get("VIGIL_EPSS_URL") or defaults.epss_url,
        kev_url=env.get("VIGIL_KEV_URL") or defaults.kev_url,
        nvd_api_key=env.get("VIGIL_NVD_API_KEY") or None,
    )


__all__ = [
    "DEFAULT_PORT",
    "DEFAULT_REGION",
    "DEFAULT_SHUTDOWN_TIMEOUT",
    "FIRST_ACCOUNT",
    "AppFactory",
    "ServerError",
    "ServerSettings",
    "Started",
    "VigilServer",
    "sources_from_env",
]
