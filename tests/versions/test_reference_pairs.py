"""Every labelled pair agrees with the ecosystem's reference implementation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.versions.reference import disagreements, is_osv_zero_convention, rows
from vigil.versions import InvalidVersion, compare, is_affected

# file -> OSV ecosystem whose scheme labels it
COMPARE_FILES = {
    "debian.jsonl": "Debian:12",
    "alpine.jsonl": "Alpine:v3.19",
    "pypi.jsonl": "PyPI",
    "maven.jsonl": "Maven",
    "rubygems.jsonl": "RubyGems",
    "go.jsonl": "Go",
    "cargo.jsonl": "crates.io",
}
INVALID_FILES = {
    "pypi_invalid.jsonl": "PyPI",
    "rubygems_invalid.jsonl": "RubyGems",
    "go_invalid.jsonl": "Go",
    "npm_invalid.jsonl": "npm",
    "rpm_invalid.jsonl": "Red Hat",
}


def _raises_invalid(fn: Callable[[], object]) -> bool:
    try:
        fn()
    except InvalidVersion:
        return True
    return False


def _refused_by_current_apk() -> set[tuple[str, str]]:
    """alpine.jsonl rows whose versions current apk-tools refuses (see README-os.md): they are
    checked in test_apk.py to raise InvalidVersion, as ``apk_version_validate`` rejects them."""
    return {(r["a"], r["b"]) for r in rows("alpine_rejected.jsonl")}


@pytest.mark.parametrize(("filename", "ecosystem"), sorted(COMPARE_FILES.items()))
def test_compare_agrees_with_reference(filename: str, ecosystem: str) -> None:
    refused = _refused_by_current_apk() if filename == "alpine.jsonl" else set()
    data = [r for r in rows(filename) if (r["a"], r["b"]) not in refused]
    assert data
    bad = disagreements((r, r["cmp"], compare(ecosystem, r["a"], r["b"])) for r in data)
    assert not bad, f"{len(bad)} of {len(data)} disagree:\n" + "\n".join(bad[:20])


def _rejected_only_for_missing_v(row: dict[str, Any]) -> bool:
    """x/mod rejects OSV's Go versions only because they omit the ``v``; Vigil accepts them
    on purpose (OSV "Go" records never carry it). Their order is checked in test_golang.py."""
    return str(row["source"]).startswith("realworld-no-v-prefix")


@pytest.mark.parametrize(("filename", "ecosystem"), sorted(INVALID_FILES.items()))
def test_rejected_inputs_raise_invalid_version(filename: str, ecosystem: str) -> None:
    data = [r for r in rows(filename) if not _rejected_only_for_missing_v(r)]
    assert data
    accepted = [
        r for r in data if not _raises_invalid(lambda r=r: compare(ecosystem, r["a"], r["b"]))
    ]
    assert not accepted, f"accepted inputs the reference rejects: {accepted[:20]}"


@pytest.mark.parametrize("filename", ["debian.jsonl", "pypi.jsonl", "rpm.jsonl", "rubygems.jsonl"])
def test_osv_zero_convention_rows_follow_osv(filename: str) -> None:
    ecosystem = {
        "debian.jsonl": "Debian",
        "pypi.jsonl": "PyPI",
        "rpm.jsonl": "Red Hat",
        "rubygems.jsonl": "RubyGems",
    }[filename]
    convention = [r for r in rows(filename) if is_osv_zero_convention(r)]
    assert convention, "the data set documents at least one such row per file"
    for row in convention:
        other = row["b"] if row["a"] == "0" else row["a"]
        entry = {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}
        assert is_affected(ecosystem, other, entry), row
