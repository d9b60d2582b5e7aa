"""crates.io versions and requirements agree with the semver crate 1.0.14 on every labelled row."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.versions.reference import disagreements, rows
from tests.versions.test_semver import check_total_order, semver_versions
from vigil.versions import cargo
from vigil.versions.scheme import InvalidVersion


def test_every_labelled_pair_agrees() -> None:
    data = rows("cargo.jsonl")
    assert len(data) > 2900
    bad = disagreements((r, r["cmp"], cargo.SCHEME.compare(r["a"], r["b"])) for r in data)
    assert not bad, "\n".join(bad[:20])


def test_build_metadata_is_ignored_where_the_crate_ord_would_not() -> None:
    with_build = [r for r in rows("cargo.jsonl") if "cmp_ord_with_build" in r]
    assert with_build
    for row in with_build:
        assert cargo.SCHEME.compare(row["a"], row["b"]) == row["cmp"] == 0


def test_every_labelled_requirement_agrees() -> None:
    data = rows("cargo_req.jsonl")
    assert len(data) > 7600
    bad = disagreements((r, r["matches"], cargo.matches(r["version"], r["req"])) for r in data)
    assert not bad, "\n".join(bad[:20])


@pytest.mark.parametrize(
    "text",
    ["", "1", "1.2", "v1.2.3", "=1.2.3", " 1.2.3", "1.2.3 ", "01.2.3", "1.2.03", "1.2.3-01",
     "1.2.3-", "1.2.3+", "1.2.3-a..b", "1.2.3.4", "1.2.3-é", "18446744073709551616.0.0",
     "1.18446744073709551616.0", "1.2.3-a_b", "1.2.3beta"],
)  # fmt: skip
def test_invalid_versions_raise(text: str) -> None:
    with pytest.raises(InvalidVersion):
        cargo.parse(text)


def test_u64_bounds() -> None:
    top = "18446744073709551615"
    assert cargo.SCHEME.compare(f"{top}.{top}.{top}", "1.0.0") == 1


# Each rejected by VersionReq::parse in semver 1.0.14 (checked against the crate).
INVALID_REQS = [
    "",
    ">=",
    "1.*.3",
    "*, 1.0",
    "1.2.3 - 2",
    "~>1.2",
    "1.2.3 1.2.4",
    "1.0.0-01",
    "1.2.3,",
    "=*",
    "^*",
    "01.2",
    "v1.2.3",
    "1.2.3-",
    "1.2.3-a..b",
    "\t1.2.3",
    "1.2.*-pre",
    "18446744073709551616",
    ",".join(["^1"] * 33),
]


@pytest.mark.parametrize("req", INVALID_REQS)
def test_invalid_requirements_raise(req: str) -> None:
    with pytest.raises(cargo.InvalidRequirement):
        cargo.matches("1.0.0", req)


@pytest.mark.parametrize(
    ("version", "req", "expected"),
    [
        ("1.0.0", ">= 1.0.0 , < 2.0.0", True),
        ("1.0.0", " =1.0.0 ", True),
        ("1.9.0", "1.x", True),
        ("2.0.0", ">=1.*", True),
        ("0.9.0", ">=1.*", False),
        ("3.0.0", " * ", True),
        ("1.0.0-alpha", "*", False),
        ("1.2.3-beta.2", ">=1.2.3-beta.1, <2", True),
        ("1.2.4-beta.2", ">=1.2.3-beta.1, <2", False),
        ("0.0.5", "^0.0.3", False),
        ("0.2.9", "~0.2.3", True),
        ("1.2.3", "1.2.3+build", True),
        ("1.0.0", ",".join(["^1"] * 32), True),
    ],
)
def test_requirement_examples(version: str, req: str, expected: bool) -> None:
    assert cargo.matches(version, req) is expected


def test_invalid_version_in_matches_raises() -> None:
    with pytest.raises(InvalidVersion):
        cargo.matches("v1.0.0", "*")


@settings(max_examples=150, deadline=None)
@given(semver_versions(), semver_versions(), semver_versions())
def test_total_order_on_generated_versions(a: str, b: str, c: str) -> None:
    check_total_order(cargo.parse, a, b, c)


@cache
def _real_versions() -> list[str]:
    return sorted({s for r in rows("cargo.jsonl") for s in (r["a"], r["b"])})


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_total_order_on_real_versions(data: st.DataObject) -> None:
    a, b, c = (data.draw(st.sampled_from(_real_versions())) for _ in range(3))
    check_total_order(cargo.parse, a, b, c)
