"""``vigil server`` as a real process on a free loopback port, and the installed ``vigil`` and
``aws`` commands as its clients (no tests here).

Every child gets an environment without the caller's ``VIGIL_*`` and ``AWS_*`` variables and
with AWS config and credentials files that do not exist, so nothing of the machine leaks in.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

BIN = Path(sys.executable).parent
VIGIL = BIN / "vigil"
AWS = BIN / "aws"
REGION = "us-east-1"
READY = "Stop with Ctrl+C or SIGTERM."


def clean_env(home: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("VIGIL_", "AWS_", "COLUMNS", "XDG_DATA_HOME"))
    }
    env["HOME"] = str(home)
    env["AWS_CONFIG_FILE"] = str(home / "no-aws-config")
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(home / "no-aws-credentials")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env.update(extra or {})
    return env


@dataclass(frozen=True)
class Key:
    access_key_id: str
    secret_access_key: str

    def env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
        }


@dataclass
class ServerProcess:
    process: subprocess.Popen[str]
    data_dir: Path
    home: Path
    banner: list[str]
    url: str
    _lines: queue.Queue[str | None] = field(repr=False, default_factory=queue.Queue)
    _reader: threading.Thread | None = field(repr=False, default=None)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 90.0) -> tuple[int, list[str]]:
        """Send ``sig``, wait for the exit; (exit code, stdout lines after the banner)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        code = self.process.wait(timeout)
        rest: list[str] = []
        while (line := self._lines.get(timeout=10)) is not None:
            rest.append(line)
        self._close()
        return code, rest

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)
        self._close()

    def _close(self) -> None:
        if self.process.stdout is not None and self._reader is not None:
            self._reader.join(10)
            self.process.stdout.close()

    def vigil(self, *args: str, key: Key | None = None) -> subprocess.CompletedProcess[str]:
        """The installed ``vigil ARGS`` as a client of this server."""
        return run(VIGIL, *args, env=clean_env(self.home, key.env() if key else None))

    def create_key(self, account: str, role: str = "admin", *options: str) -> Key:
        """A key made by ``vigil keys create --json`` (``options``: ``--database-url …``)."""
        done = self.vigil(
            "keys", "create", "--account", account, "--role", role, "--json",
            "--data-dir", str(self.data_dir), *options,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        created = json.loads(done.stdout)
        return Key(created["accessKeyId"], created["secretAccessKey"])

    def client(self, key: Key, service: str = "inspector2") -> Any:
        """An unmodified boto3 client pointed at this server."""
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id=key.access_key_id,
            aws_secret_access_key=key.secret_access_key,
            config=Config(retries={"total_max_attempts": 1}),
        )

    def stderr(self) -> str:
        return (self.home / "server.stderr").read_text()


def start_server(
    data_dir: Path,
    home: Path,
    *args: str,
    timeout: float = 90.0,
    env: Mapping[str, str] | None = None,
) -> ServerProcess:
    """``vigil server --port 0 --data-dir DATA_DIR ARGS``, returned once it is ready; ``env``
    adds variables to the clean environment."""
    home.mkdir(parents=True, exist_ok=True)
    stderr = open(home / "server.stderr", "a")  # noqa: SIM115 - the child writes it until it ends
    process = subprocess.Popen(
        [str(VIGIL), "server", "--port", "0", "--data-dir", str(data_dir), *args],
        stdout=subprocess.PIPE,
        stderr=stderr,
        stdin=subprocess.DEVNULL,
        text=True,
        env=clean_env(home, env),
    )
    stderr.close()
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    banner: list[str] = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            process.kill()
            raise AssertionError(f"the server did not start within {timeout} s: {banner}") from None
        if line is None:
            process.wait(30)
            raise AssertionError(
                f"the server exited with {process.returncode}: {banner}\n"
                + (home / "server.stderr").read_text()
            )
        banner.append(line)
        if line == READY:
            break
    url = banner[0].rsplit(" ", 1)[-1]
    return ServerProcess(process, data_dir, home, banner, url, lines, reader)


def run(*args: str | Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        capture_output=True,
        text=True,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        timeout=300,
        check=False,
    )


def signed(
    method: str,
    url: str,
    key: Key,
    body: bytes = b"",
    *,
    service: str = "vigil",
    headers: Mapping[str, str] | None = None,
) -> httpx.Response:
    """One request to ``url`` signed now as botocore signs (``url`` may carry a query)."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    credentials = Credentials(key.access_key_id, key.secret_access_key)
    SigV4Auth(credentials, service, REGION).add_auth(request)
    with httpx.Client(timeout=60) as client:
        return client.request(method, url, headers=dict(request.headers.items()), content=body)


def wait_for_job(server: ServerProcess, key: Key, job_id: str, timeout: float = 120.0) -> Any:
    """The job's record once it is no longer QUEUED or RUNNING."""
    deadline = time.monotonic() + timeout
    while True:
        job = signed("GET", f"{server.url}/_vigil/v1/jobs/{job_id}", key).json()
        if job["status"] not in {"QUEUED", "RUNNING"}:
            return job
        assert time.monotonic() < deadline, f"job {job_id} still {job['status']}"
        time.sleep(0.2)
