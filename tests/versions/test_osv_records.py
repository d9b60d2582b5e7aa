"""``is_affected`` on real OSV records agrees with expectations labelled by reference tools.

tests/versions/data/osv_expectations.jsonl is produced by scripts/label_osv_expectations.py, which
compares versions with dpkg, node-semver and packaging and pairs range events on its own; nothing
of Vigil's version code is involved in labelling.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

from tests.versions.reference import rows
from vigil.versions import is_affected

OSV = Path(__file__).parent.parent / "data" / "osv"
FOLDERS = {"PyPI": "pypi", "npm": "npm", "Go": "go", "Debian": "debian"}


@cache
def record(ecosystem: str, advisory_id: str) -> dict[str, Any]:
    folder = FOLDERS[ecosystem.partition(":")[0]]
    data: dict[str, Any] = json.loads((OSV / folder / f"{advisory_id}.json").read_text())
    return data


def test_expectations_cover_every_ecosystem_both_ways() -> None:
    counts = Counter(
        (r["ecosystem"].partition(":")[0], r["affected"]) for r in rows("osv_expectations.jsonl")
    )
    for ecosystem in FOLDERS:
        assert counts[(ecosystem, True)] > 0, ecosystem
        assert counts[(ecosystem, False)] > 0, ecosystem


def test_is_affected_agrees_with_reference_labels() -> None:
    data = rows("osv_expectations.jsonl")
    wrong = []
    for row in data:
        entry = record(row["ecosystem"], row["id"])["affected"][row["affected_index"]]
        got = is_affected(row["ecosystem"], row["version"], entry)
        if got != row["affected"]:
            wrong.append(
                f"{row['id']} {row['ecosystem']} {row['version']}: expected {row['affected']}"
            )
    assert not wrong, f"{len(wrong)} of {len(data)} wrong:\n" + "\n".join(wrong[:30])
