"""npm versions and ranges agree with node-semver 7.8.6 on every labelled row."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.versions.reference import disagreements, rows
from tests.versions.test_semver import check_total_order, semver_versions
from vigil.versions import npm
from vigil.versions.scheme import InvalidVersion


def _loose(options: dict[str, Any] | None) -> bool:
    # node-semver reads options by truthiness: {"loose": 123} is loose, {"loose": 0} is not.
    return bool((options or {}).get("loose"))


def _satisfies(row: dict[str, Any]) -> bool:
    options = row.get("options") or {}
    return npm.satisfies(
        row["version"],
        row["range"],
        loose=_loose(options),
        include_prerelease=bool(options.get("includePrerelease")),
    )


def test_every_labelled_pair_agrees() -> None:
    data = rows("npm.jsonl")
    assert len(data) > 3000
    assert {_loose(r.get("opts")) for r in data} == {True, False}
    bad = disagreements(
        (r, r["cmp"], npm.compare(r["a"], r["b"], loose=_loose(r.get("opts")))) for r in data
    )
    assert not bad, "\n".join(bad[:20])


def test_scheme_is_strict_compare() -> None:
    strict = [r for r in rows("npm.jsonl") if r.get("parsed") == "strict"]
    assert all(npm.SCHEME.compare(r["a"], r["b"]) == r["cmp"] for r in strict)
    with pytest.raises(InvalidVersion):
        npm.SCHEME.parse("=1.2.3")
    assert npm.compare("=1.2.3", "1.2.3", loose=True) == 0


@pytest.mark.parametrize("loose", [False, True])
def test_rejected_inputs_raise(loose: bool) -> None:
    data = rows("npm_invalid.jsonl")
    assert data
    for row in data:
        with pytest.raises(InvalidVersion):
            npm.compare(row["a"], row["b"], loose=loose)


@pytest.mark.parametrize(
    "text",
    ["", "1.2", "1.2.3.4", "01.2.3", "1.2.3-01", "1.2.3-", "1.2.3+", "=1.2.3", "1.2.3beta",
     "9007199254740992.0.0", "1.9007199254740992.0", "1." + "1" * 260 + ".0",
     "1.2.3-" + "a" * 251, "\x1c1.2.3"],
)  # fmt: skip
def test_invalid_strict_versions_raise(text: str) -> None:
    with pytest.raises(InvalidVersion):
        npm.parse(text)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("  v1.2.3\n", "1.2.3"),
        ("\ufeff1.2.3\u3000", "1.2.3"),  # JavaScript's trim(), not Python's
        ("9007199254740991.0.0", "9007199254740991.0.0+b"),
        ("1.2.3-" + "a" * 250, "1.2.3-" + "a" * 250),
    ],
)
def test_strict_equalities(a: str, b: str) -> None:
    assert npm.compare(a, b) == 0


@pytest.mark.parametrize(
    ("a", "b"),
    [("=1.2.3", "1.2.3"), ("v 1.2.3", "1.2.3"), ("1.2.3-01", "1.2.3-1"), ("01.02.03", "1.2.3")],
)
def test_loose_equalities(a: str, b: str) -> None:
    assert npm.compare(a, b, loose=True) == 0


def test_loose_prerelease_without_hyphen() -> None:
    assert npm.compare("1.2.3beta", "1.2.3", loose=True) == -1
    assert npm.compare("1.2.3beta", "1.2.3-beta", loose=True) == 0


def test_huge_numeric_prerelease_compares_as_a_javascript_number() -> None:
    # node keeps digits >= MAX_SAFE_INTEGER as strings but compares them through Number().
    assert npm.compare("1.0.0-9007199254740993", "1.0.0-9007199254740992") == 0
    assert npm.compare("1.0.0-9007199254740995", "1.0.0-9007199254740992") == 1
    assert npm.compare("1.0.0-9007199254740992", "1.0.0-alpha") == -1
    # Documented difference: node stops at the tie and answers 0, which is not transitive
    # (it also orders ...992.a before ...992.b); the keys go on to the next identifier.
    assert npm.compare("1.0.0-9007199254740993.a", "1.0.0-9007199254740992.b") == -1


def test_every_labelled_range_agrees() -> None:
    data = rows("npm_ranges.jsonl")
    assert len(data) > 200
    bad = disagreements((r, r["satisfies"], _satisfies(r)) for r in data)
    assert not bad, "\n".join(bad[:20])


def test_every_generated_range_agrees() -> None:
    data = rows("npm_ranges_generated.jsonl")
    assert len(data) == 1500
    assert sum(r["satisfies"] for r in data) > 200
    bad = disagreements((r, r["satisfies"], _satisfies(r)) for r in data)
    assert not bad, "\n".join(bad[:20])


@pytest.mark.parametrize(
    ("version", "range_", "expected"),
    [
        ("1.2.4-beta", ">=1.2.3 <2", False),  # prerelease of another x.y.z is excluded
        ("1.2.3-beta.2", ">=1.2.3-beta.1 <2", True),  # same x.y.z names a prerelease
        ("1.2.4-beta", "^1.2.3-beta.1", False),
        ("1.0.0-rc.1", "*", False),
        ("1.0.0-rc.1", "* || 1.0.0-rc.1", False),  # a lone * set swallows the others
        ("1.0.0-rc.1", "1.0.0-rc.1 || 2", True),
        ("1.5.0", "1.2.3 - 2.3.4", True),
        ("2.3.5", "1.2.3 - 2.3.4", False),
        ("2.3.9", "1.2 - 2.3", True),
        ("1.9.9", "~1.2", False),
        ("0.2.9", "^0.2.3", True),
        ("0.3.0", "^0.2.3", False),
        ("0.0.4", "^0.0.3", False),
        ("2.0.0", ">1", True),
        ("1.9.9", "<=1.x", True),
        ("1.2.3", "", True),
        ("1.2.3", ">=1.2.3+build.7", True),
        ("1.2.3", "not a range", False),
        ("not a version", "*", False),
        ("1.2.3", "<0.0.0-0", False),
    ],
)
def test_range_examples(version: str, range_: str, expected: bool) -> None:
    assert npm.satisfies(version, range_) is expected


def test_include_prerelease_lifts_the_exclusion() -> None:
    assert not npm.satisfies("1.2.4-beta", ">=1.2.3 <2")
    assert npm.satisfies("1.2.4-beta", ">=1.2.3 <2", include_prerelease=True)
    assert npm.satisfies("1.0.0-rc.1", "*", include_prerelease=True)


def test_overlong_range_is_unsatisfiable_not_slow() -> None:
    assert not npm.satisfies("1.2.3", ">=1.0.0 " + "v" * npm.MAX_RANGE_LENGTH)


@settings(max_examples=150, deadline=None)
@given(semver_versions(True), semver_versions(True), semver_versions(True), st.booleans())
def test_total_order_on_generated_versions(a: str, b: str, c: str, loose: bool) -> None:
    check_total_order(lambda v: npm.parse(v, loose=loose), a, b, c)


@cache
def _real_versions() -> list[str]:
    found = set()
    for row in rows("npm.jsonl"):
        for text in (row["a"], row["b"]):
            try:
                npm.parse(text)
            except InvalidVersion:
                continue
            found.add(text)
    return sorted(found)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_total_order_on_real_versions(data: st.DataObject) -> None:
    a, b, c = (data.draw(st.sampled_from(_real_versions())) for _ in range(3))
    check_total_order(npm.parse, a, b, c)
