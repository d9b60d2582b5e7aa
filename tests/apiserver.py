"""A live Vigil API on a free loopback port, for any test package.

``start_api(data_dir)`` migrates the service database (SQLite in ``data_dir`` unless a URL is
given), serves ``create_app`` with uvicorn in a thread, and hands back a :class:`LiveApi` that
creates access keys through ``vigil keys create --json`` and makes unmodified boto3 clients.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from click.testing import CliRunner

from vigil.api import ServerThread, create_app
from vigil.api.context import Handler
from vigil.cli.main import cli
from vigil.service.api_context import ApiServices, utc_now
from vigil.service.database import open_database
from vigil.service.keys import KeyService
from vigil.service.master_key import load_master_key

REGION = "us-east-1"


@dataclass(frozen=True)
class Key:
    access_key_id: str
    secret_access_key: str


@dataclass
class LiveApi:
    url: str
    data_dir: Path
    database_url: str | None
    services: ApiServices

    def vigil(self, *args: str) -> Any:
        """``vigil ARGS --data-dir … [--database-url …]`` in this process; the result."""
        where = ["--data-dir", str(self.data_dir)]
        if self.database_url:
            where += ["--database-url", self.database_url]
        return CliRunner().invoke(cli, [*args, *where], catch_exceptions=False)

    def create_key(self, account: str = "111122223333", role: str = "admin") -> Key:
        done = self.vigil("keys", "create", "--account", account, "--role", role, "--json")
        assert done.exit_code == 0, done.output
        created = json.loads(done.stdout)
        return Key(created["accessKeyId"], created["secretAccessKey"])

    def client(
        self,
        key: Key,
        service: str = "inspector2",
        *,
        validate: bool = True,
        retries: int = 1,
        region: str = REGION,
    ) -> Any:
        """An unmodified boto3 client for ``service`` pointed at this server."""
        config = Config(
            parameter_validation=validate,
            retries={"total_max_attempts": retries, "mode": "standard"},
        )
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=region,
            aws_access_key_id=key.access_key_id,
            aws_secret_access_key=key.secret_access_key,
            config=config,
        )


@contextmanager
def start_api(
    data_dir: Path,
    *,
    database_url: str | None = None,
    handlers: Mapping[str, Handler] | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Iterator[LiveApi]:
    engine = open_database(data_dir, database_url)
    keys = KeyService(engine, load_master_key(data_dir), clock=clock)
    services = ApiServices(engine=engine, keys=keys, clock=clock)
    try:
        with ServerThread(create_app(services, handlers)) as server:
            yield LiveApi(server.url, data_dir, database_url, services)
    finally:
        engine.dispose()
