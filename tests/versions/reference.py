"""Loading the labelled version pairs shipped in ``tests/versions/data``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"


def rows(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def is_osv_zero_convention(row: dict[str, Any]) -> bool:
    """A fixture row whose label encodes OSV's introduced-"0" rule rather than native order."""
    return row.get("agrees") is False and "0" in (row["a"], row["b"])


def disagreements(pairs: Iterator[tuple[dict[str, Any], Any, Any]]) -> list[str]:
    """Format (row, expected, got) triples where got differs, for one readable assertion."""
    return [f"{row} expected {want} got {got}" for row, want, got in pairs if want != got]
