"""``vigil scan`` as CI runs it: the installed ``vigil`` in a real process, one test per exit
code, stdout holding nothing but the report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.scan_support import CLEAN, VULNERABLE, ids, store
from tests.reports.validators import sarif_errors

__all__ = ["store"]  # the session fixture, imported for pytest

VIGIL = Path(sys.executable).parent / "vigil"


def vigil_scan(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIGIL_", "COLUMNS"))}
    return subprocess.run(
        [str(VIGIL), "scan", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_exit_0_json_on_stdout_only(store: Path) -> None:
    done = vigil_scan(f"dir:{CLEAN}", "--db", store, "--fail-on", "LOW", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    assert done.stderr == "vigil: 0 findings\n"


def test_exit_1_with_a_sarif_report_written(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "vigil.sarif"
    done = vigil_scan(
        f"dir:{VULNERABLE}", "--db", store, "--fail-on", "HIGH", "--format", "sarif", "-o", out
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "vigil: 13 findings (HIGH 1, MEDIUM 3, UNTRIAGED 9)",
        "vigil: error: 1 finding at or above HIGH (--fail-on)",
    ]
    assert sarif_errors(out.read_bytes()) == []


@pytest.mark.parametrize(
    "args",
    [[], ["dir:x", "--max-db-age", "a week"], ["dir:x", "--fail-on", "SEVERE"]],
)
def test_exit_2_usage(store: Path, args: list[str]) -> None:
    done = vigil_scan(*args, "--db", store)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Error:" in done.stderr


def test_exit_3_nothing_cataloged(store: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = vigil_scan(tmp_path / "empty", "--db", store, "--format", "json")
    assert done.returncode == 3
    assert done.stdout == ""
    assert "nothing could be cataloged" in done.stderr
    assert vigil_scan(tmp_path / "missing", "--db", store).returncode == 3


def test_exit_4_database(store: Path, tmp_path: Path) -> None:
    done = vigil_scan(f"dir:{CLEAN}", "--db", tmp_path / "missing.db")
    assert done.returncode == 4
    assert done.stdout == ""
    too_old = vigil_scan(f"dir:{CLEAN}", "--db", store, "--max-db-age", "7d")
    assert too_old.returncode == 4
    assert "older than the allowed 7 days" in too_old.stderr


def test_relative_targets_and_an_sbom(store: Path, tmp_path: Path) -> None:
    sbom = tmp_path / "sbom.spdx.json"
    made = subprocess.run(
        [str(VIGIL), "sbom", "debian11", "--format", "spdx-json", "-o", sbom],
        cwd=VULNERABLE.parent, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    done = vigil_scan("--sbom", sbom, "--db", store, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert "CVE-2023-0286" in ids(json.loads(done.stdout))
