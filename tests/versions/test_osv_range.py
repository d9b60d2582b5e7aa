"""The OSV evaluation algorithm, case by case, on PyPI versions (ordered by ``packaging``)."""

from __future__ import annotations

from typing import Any

import pytest

from vigil.domain import Affected
from vigil.versions import InvalidVersion, compile_affected, is_affected


def ranges(*events: dict[str, str], kind: str = "ECOSYSTEM") -> dict[str, Any]:
    return {"ranges": [{"type": kind, "events": list(events)}]}


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.1", True), ("1.9.9", True), ("2.0", False), ("2.0rc1", True), ("3.0", False)],
)
def test_introduced_zero_fixed(version: str, expected: bool) -> None:
    assert is_affected("PyPI", version, ranges({"introduced": "0"}, {"fixed": "2.0"})) is expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("0.9", False),
        ("1.0", True),
        ("1.5", True),
        ("2.0", False),
        ("2.5", False),
        ("3.0", True),
        ("3.2.4", True),
        ("3.2.5", False),
        ("9", False),
    ],
)
def test_several_pairs_in_any_order(version: str, expected: bool) -> None:
    shuffled = ranges(
        {"fixed": "3.2.5"}, {"introduced": "1.0"}, {"introduced": "3.0"}, {"fixed": "2.0"}
    )
    assert is_affected("PyPI", version, shuffled) is expected


@pytest.mark.parametrize(("version", "expected"), [("2.1.214", True), ("2.1.215", False)])
def test_last_affected_is_inclusive(version: str, expected: bool) -> None:
    entry = ranges({"introduced": "0"}, {"last_affected": "2.1.214"})
    assert is_affected("PyPI", version, entry) is expected


def test_open_ended_introduced() -> None:
    entry = ranges({"introduced": "4.1"})
    assert not is_affected("PyPI", "4.0", entry)
    assert is_affected("PyPI", "4.1", entry)
    assert is_affected("PyPI", "400", entry)


def test_limit_events_bound_the_range() -> None:
    entry = ranges({"introduced": "1.0"}, {"limit": "1.5"}, {"limit": "1.8"})
    assert is_affected("PyPI", "1.7", entry)
    assert not is_affected("PyPI", "1.8", entry)
    star = ranges({"introduced": "1.0"}, {"limit": "*"})
    assert is_affected("PyPI", "99", star)


def test_explicit_versions_list_matches_without_ranges() -> None:
    entry = {"versions": ["1.0", "1.1"]}
    assert is_affected("PyPI", "1.1", entry)
    assert is_affected("PyPI", "1.1.0", entry)  # the same version under PEP 440
    assert not is_affected("PyPI", "1.2", entry)


def test_unparsable_listed_version_still_matches_exactly() -> None:
    entry = {"versions": ["0.9-ivysaur"]}
    assert is_affected("PyPI", "0.9-ivysaur", entry)


def test_git_ranges_are_ignored_for_packages() -> None:
    entry = {
        "ranges": [
            {
                "type": "GIT",
                "repo": "https://example.org/r.git",
                "events": [{"introduced": "0"}, {"fixed": "abc123"}],
            }
        ]
    }
    assert not is_affected("PyPI", "1.0", entry)


def test_semver_ranges_use_semver_even_in_other_ecosystems() -> None:
    entry = ranges({"introduced": "1.2.0"}, {"fixed": "1.10.0"}, kind="SEMVER")
    assert is_affected("Go", "1.9.3", entry)
    assert is_affected("Go", "v1.9.3", entry)
    assert not is_affected("Go", "1.10.0", entry)


def test_distro_release_suffix_selects_the_scheme() -> None:
    entry = ranges({"introduced": "0"}, {"fixed": "1:2.0-1"})
    assert is_affected("Debian:12", "1.9-1", entry)
    assert is_affected("Debian:12", "1:1.9-1", entry)
    assert not is_affected("Debian:12", "1:2.0-1", entry)
    assert is_affected("Debian:12", "1:2.0-1~deb12u1", entry)


def test_an_unparsable_event_is_an_error_not_a_silent_no() -> None:
    with pytest.raises(InvalidVersion):
        is_affected("PyPI", "1.0", ranges({"introduced": "0"}, {"fixed": "not a version!"}))


def test_an_unparsable_package_version_is_an_error() -> None:
    with pytest.raises(InvalidVersion):
        is_affected("PyPI", "???", ranges({"introduced": "0"}, {"fixed": "2.0"}))


def test_compiled_entries_accept_domain_values_and_are_reusable() -> None:
    entry = Affected.model_validate(ranges({"introduced": "1.0"}, {"fixed": "2.0"}))
    compiled = compile_affected("PyPI", entry)
    assert [compiled.includes(v) for v in ("0.9", "1.0", "1.9", "2.0")] == [
        False,
        True,
        True,
        False,
    ]


def test_listed_versions_answer_the_same_when_asked_repeatedly() -> None:
    # The first miss scans the list, later ones search it sorted: both must agree.
    compiled = compile_affected("PyPI", {"versions": ["2.0", "1.0", "3.0rc1", "bogus!"]})
    questions = ["1.0.0", "1.5", "3.0rc1", "3.0.0rc1", "2", "0.1", "bogus!"]
    first = [compiled.includes(v) for v in questions]
    again = [compiled.includes(v) for v in questions]
    assert first == again == [True, False, True, True, True, False, True]
