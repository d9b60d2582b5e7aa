"""The rooms of src/vigil import each other only in the directions docs/architecture.md allows."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert ", 0 broken." in result.stdout


def test_every_room_has_a_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    covered = {m for c in config["tool"]["importlinter"]["contracts"] for m in c["source_modules"]}
    rooms = {
        f"vigil.{p.name}"
        for p in (ROOT / "src" / "vigil").iterdir()
        if (p / "__init__.py").exists()
    }
    assert rooms <= covered, f"rooms without an import contract: {sorted(rooms - covered)}"
