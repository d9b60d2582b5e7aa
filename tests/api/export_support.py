"""A live API with a job backend and an advisory store, real findings, and moto's S3 server.

``export_api`` serves Vigil's operation registry with ``ApiServices`` given the two
members a serving process provides (``jobs``: the embedded job backend, whose registry holds
the report and SBOM export handlers writing to ``destinations``; ``advisories``: an opener of
the advisory store). ``populate`` registers resources and ingests real inventories through the
service's own ingest, so reports read findings made by the matcher. ``moto_s3`` runs
``moto_server`` (moto[server]) on a free loopback port: a real S3 API over HTTP.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

from tests.apiserver import LiveApi
from tests.service.ingest_support import (
    AIOHTTP_OLD,
    APACHE_OLD,
    JINJA_OLD,
    OPENSSL_OLD,
    REGION,
    StepClock,
    host,
    inventory,
    sequential_ids,
)
from vigil.advisories.store import AdvisoryStore
from vigil.api import ServerThread, create_app
from vigil.jobs import EmbeddedBackend, HandlerRegistry, RunnerSettings
from vigil.service import reports, sbom_export
from vigil.service import resource_shapes as shapes
from vigil.service.api_context import ApiServices
from vigil.service.database import open_database
from vigil.service.evaluation import Snapshots
from vigil.service.ingest import Ingestor
from vigil.service.keys import KeyService
from vigil.service.master_key import load_master_key
from vigil.service.report_destinations import ReportDestinations, S3Settings
from vigil.service.resources import ResourceService

KMS_KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
S3_KEY_ID, S3_SECRET = "testing", "testing"
SETTINGS = RunnerSettings(workers=1, poll_interval=0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def moto_s3() -> Iterator[str]:
    """``moto_server`` on a free loopback port; yields its URL."""
    port = free_port()
    server = Path(sys.executable).parent / "moto_server"
    process = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(url + "/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def s3_client(url: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=S3_KEY_ID,
        aws_secret_access_key=S3_SECRET,
        config=Config(s3={"addressing_style": "path"}),
    )


def destinations(s3_url: str | None, local: dict[str, Path]) -> ReportDestinations:
    return ReportDestinations(
        local_buckets=local,
        s3=S3Settings(
            endpoint_url=s3_url,
            access_key_id=S3_KEY_ID,
            secret_access_key=S3_SECRET,
        ),
    )


@dataclass
class ExportApi:
    live: LiveApi
    backend: EmbeddedBackend
    clock: StepClock
    resources: dict[str, int]  # resource id → key


@contextmanager
def export_api(
    data_dir: Path,
    advisory_db: Path,
    where: ReportDestinations,
    clock: StepClock,
    *,
    start: bool = True,
) -> Iterator[ExportApi]:
    """The API over populated data; with ``start`` False, jobs wait until the test starts the
    backend (``ExportApi.backend.start()``)."""
    engine = open_database(data_dir, None)
    keys = KeyService(engine, load_master_key(data_dir))
    registry = HandlerRegistry(
        {
            reports.KIND: reports.report_handler(engine, clock, where),
            sbom_export.KIND: sbom_export.sbom_export_handler(engine, clock, where),
        }
    )
    backend = EmbeddedBackend(data_dir / "jobs.sqlite", registry, SETTINGS)
    services = ApiServices(
        engine=engine,
        keys=keys,
        jobs=backend,
        advisories=lambda: AdvisoryStore(advisory_db, create=False),
    )
    if start:
        backend.start()
    try:
        with ServerThread(create_app(services)) as server:
            live = LiveApi(server.url, data_dir, None, services)
            yield ExportApi(live, backend, clock, populate(engine, advisory_db, clock))
    finally:
        backend.stop(timeout=10)
        backend.close()
        engine.dispose()


ACCOUNT = "111122223333"
IMAGE_HASH = "sha256:" + "ab" * 32


def populate(engine: Any, advisory_db: Path, clock: StepClock) -> dict[str, int]:
    """Two hosts and an image of ACCOUNT with inventories of real vulnerable versions."""
    service = ResourceService(engine, clock=clock)
    snapshots = Snapshots(advisory_db)
    ingestor = Ingestor(engine, snapshots.current, clock=clock, new_id=sequential_ids())
    web = host(1, Team="web")
    api = host(2, Team="api")
    image = shapes.image(
        ACCOUNT,
        region=REGION,
        repository="shop/frontend",
        image_hash=IMAGE_HASH,
        image_tags=["v1", "latest"],
    )
    keys: dict[str, int] = {}
    plan = [
        (web, inventory(APACHE_OLD, OPENSSL_OLD)),
        (api, inventory(AIOHTTP_OLD, target="agent:api")),
        (image, inventory(JINJA_OLD, OPENSSL_OLD, target="registry:shop/frontend:v1")),
    ]
    for resource, held in plan:
        keys[resource.resource_id] = service.register(resource)
        ingestor.ingest(ACCOUNT, resource.resource_id, held, scanned_at=clock())
        clock.advance(timedelta(minutes=5))
    snapshots.close()
    return keys


def wait_for(get: Callable[[], dict[str, Any]], timeout: float = 30) -> dict[str, Any]:
    """Poll a Get*Status call until the status leaves IN_PROGRESS."""
    deadline = time.monotonic() + timeout
    while True:
        answer = get()
        if answer["status"] != "IN_PROGRESS" or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def when(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
