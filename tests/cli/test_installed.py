"""The installed ``vigil`` executable, run as a user runs it: stdout a pipe, stderr a pipe or a
terminal (a pseudo-terminal here), exit codes as documented."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.cli.sboms import PURLS, purls
from tests.sbom.validators import spdx_errors
from tests.service.targets import directory, docker_archive

VIGIL = Path(sys.executable).with_name("vigil")
pytestmark = pytest.mark.skipif(
    not VIGIL.exists(), reason=f"{VIGIL} is absent: the project is not installed in this venv"
)


def vigil(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(VIGIL), "sbom", *args],
        env={**os.environ, "FORCE_COLOR": "1"},  # colour may be forced; stderr is still no tty
        capture_output=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_spdx_of_a_directory_and_a_quiet_stderr(tmp_path: Path) -> None:
    done = vigil(f"dir:{directory(tmp_path / 'root')}", "--format", "spdx-json")

    assert done.returncode == 0, done.stderr
    assert done.stderr == b""  # no progress display when stderr is not a terminal
    assert spdx_errors(done.stdout) == []
    assert purls(json.loads(done.stdout)) == PURLS


def test_exit_codes_and_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()

    missing = vigil(str(tmp_path / "absent"))
    not_understood = vigil(f"dir:{tmp_path / 'empty'}")
    bad_option = vigil(str(tmp_path), "--format", "nope")

    assert (missing.returncode, not_understood.returncode, bad_option.returncode) == (2, 3, 2)
    for done in (missing, not_understood, bad_option):
        assert done.stdout == b""
        assert b"Traceback" not in done.stderr
    assert missing.stderr.startswith(b"vigil: error: no such target: ")


def test_progress_is_drawn_on_a_terminal_and_stdout_stays_clean(tmp_path: Path) -> None:
    archive = docker_archive(tmp_path / "image.tar")
    controller, terminal = pty.openpty()
    drawn: list[bytes] = []
    # Drained as it is written: a full terminal buffer would block the command.
    reader = threading.Thread(target=lambda: drawn.append(_read_all(controller)))
    reader.start()
    try:
        process = subprocess.Popen(
            [str(VIGIL), "sbom", f"docker-archive:{archive}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=terminal,
            env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"},
        )
        os.close(terminal)
        stdout, _ = process.communicate(timeout=120)
        reader.join(timeout=30)
    finally:
        os.close(controller)
    assert drawn, "the terminal was not read to its end"

    assert process.returncode == 0
    assert purls(json.loads(stdout)) == PURLS
    assert b"Cataloging files" in drawn[0]
    assert b"\x1b[" in drawn[0]  # drawn with terminal control sequences, then cleared


def _read_all(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_a_reader_that_goes_away_is_no_error_message(tmp_path: Path) -> None:
    archive = docker_archive(tmp_path / "image.tar")
    process = subprocess.Popen(
        [str(VIGIL), "sbom", str(archive), "--format", "spdx-json"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # as `| head -c0` would
    with process.stderr:
        stderr = process.stderr.read()

    assert process.wait(timeout=120) == 1
    assert stderr == b""
