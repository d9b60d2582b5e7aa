"""The installed ``vigil``: an air-gapped site imports a signed bundle and answers offline.

The import and the lookups run in a network namespace of their own (``unshare -n``: no
interface but a downed loopback) where the system allows one, and with every proxy variable
pointing at a closed port either way, so any attempt to reach a network fails.
"""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
import threading
from functools import cache
from pathlib import Path

import pytest

from tests.cli.test_db_support import advisory_server, build_args, source_args

VIGIL = Path(sys.executable).with_name("vigil")
pytestmark = pytest.mark.skipif(
    not VIGIL.exists(), reason=f"{VIGIL} is absent: the project is not installed in this venv"
)
DEAD = "http://127.0.0.1:9"
OFFLINE_ENV = {
    **os.environ,
    **dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy"), DEAD),
    "NO_PROXY": "",
    "COLUMNS": "200",
}


@cache
def isolated() -> list[str]:
    """The prefix that runs a command without any network, if this system permits it."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    probe = subprocess.run([unshare, "-n", "true"], capture_output=True, check=False)
    return [unshare, "-n"] if probe.returncode == 0 else []


def vigil(*args: str | Path, offline: bool = False) -> subprocess.CompletedProcess[str]:
    prefix = isolated() if offline else []
    return subprocess.run(
        [*prefix, str(VIGIL), *map(str, args)],
        env=OFFLINE_ENV if offline else None,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_an_imported_bundle_answers_offline(tmp_path: Path) -> None:
    built = tmp_path / "built.db"
    assert vigil("db", "build", "-o", built, *build_args(tmp_path / "inputs")).returncode == 0
    assert vigil("db", "keygen", "--out", tmp_path / "release").returncode == 0
    bundle = tmp_path / "advisories.tar"
    exported = vigil("db", "export", "--db", built, "--signing-key", tmp_path / "release.key",
                     bundle)  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    site = tmp_path / "air-gapped"

    imported = vigil(
        "db", "import", bundle, "--trusted-key", tmp_path / "release.pub", "--data-dir", site,
        offline=True,
    )  # fmt: skip
    shown = vigil("vuln", "show", "CVE-2021-3156", "--data-dir", site, "--json", offline=True)
    scored = vigil("vuln", "show", "PYSEC-2021-76", "--data-dir", site, offline=True)
    status = vigil("db", "status", "--data-dir", site, "--json", offline=True)

    assert imported.returncode == 0, imported.stderr
    assert "verified" in imported.stdout
    assert shown.returncode == 0, shown.stderr
    found = json.loads(shown.stdout)
    assert found["kev"]["date_added"] == "2022-04-06"
    assert {a["name"] for a in found["affected"]} == {"sudo"}
    assert scored.returncode == 0, scored.stderr
    assert "CVE-2021-21330" in scored.stdout
    assert "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N" in scored.stdout
    assert json.loads(status.stdout)["records"] == 3107


def test_sync_draws_progress_on_a_terminal_and_keeps_stdout_clean(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    drawn: list[bytes] = []
    reader = threading.Thread(target=lambda: drawn.append(_read_all(controller)))
    reader.start()
    try:
        with advisory_server() as server:
            process = subprocess.Popen(
                [str(VIGIL), "db", "sync", "--data-dir", str(tmp_path), "--ecosystem", "Go",
                 *source_args(server)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=terminal,
                env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"},
            )  # fmt: skip
            os.close(terminal)
            stdout, _ = process.communicate(timeout=120)
        reader.join(timeout=30)
    finally:
        os.close(controller)
    assert process.returncode == 0
    screen = b"".join(drawn).decode(errors="replace")
    assert "osv:Go" in screen
    assert "kev" in screen
    assert "\x1b[" in screen  # drawn with terminal control sequences
    assert stdout.decode().splitlines()[0].split()[:2] == ["osv:Go", "+486"]
    assert "\x1b[" not in stdout.decode()


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the terminal's other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)
