"""Every registered scheme is a total order on the real version strings of its labelled data."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.versions.reference import DATA, rows
from vigil.versions import InvalidVersion, compare, scheme_for

# ecosystem -> the data files whose strings exercise its scheme
SOURCES = {
    "Debian": ["debian.jsonl"],
    "Red Hat": ["rpm.jsonl"],
    "Alpine": ["alpine.jsonl"],
    "PyPI": ["pypi.jsonl"],
    "npm": ["npm.jsonl"],
    "Maven": ["maven.jsonl"],
    "RubyGems": ["rubygems.jsonl"],
    "Go": ["go.jsonl"],
    "crates.io": ["cargo.jsonl"],
    "NuGet": ["nuget.jsonl"],
    "Packagist": ["composer.jsonl"],
}


def _usable(ecosystem: str, text: str) -> bool:
    # maven-artifact's own ComparableVersion is not transitive on versions that start with a
    # qualifier (client_hc > 0 > 0-SNAPSHOT > client_hc, confirmed with the real jar; see
    # README-lang.md). Vigil agrees with Maven pair by pair, so the order is only a total one on
    # versions that start with a number, which are the versions Maven artifacts carry.
    return ecosystem != "Maven" or text[:1].isdigit()


@cache
def valid_versions(ecosystem: str) -> tuple[str, ...]:
    scheme = scheme_for(ecosystem)
    found: set[str] = set()
    for name in SOURCES[ecosystem]:
        if not (DATA / name).exists():
            continue
        for row in rows(name):
            for text in (row.get("a"), row.get("b")):
                if not isinstance(text, str) or not _usable(ecosystem, text):
                    continue
                try:
                    scheme.parse(text)
                except InvalidVersion:
                    continue
                found.add(text)
    return tuple(sorted(found))


def versions_of(ecosystem: str) -> st.SearchStrategy[str]:
    return st.sampled_from(valid_versions(ecosystem))


ECOSYSTEMS = sorted(SOURCES)


@pytest.mark.parametrize("ecosystem", ECOSYSTEMS)
def test_data_has_versions(ecosystem: str) -> None:
    assert len(valid_versions(ecosystem)) > 10


@pytest.mark.parametrize("ecosystem", ECOSYSTEMS)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_antisymmetric_and_reflexive(ecosystem: str, data: st.DataObject) -> None:
    a = data.draw(versions_of(ecosystem))
    b = data.draw(versions_of(ecosystem))
    assert compare(ecosystem, a, a) == 0
    assert compare(ecosystem, a, b) == -compare(ecosystem, b, a)


@pytest.mark.parametrize("ecosystem", ECOSYSTEMS)
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_transitive_and_consistent_with_equality(ecosystem: str, data: st.DataObject) -> None:
    a, b, c = sorted(
        (data.draw(versions_of(ecosystem)) for _ in range(3)),
        key=scheme_for(ecosystem).parse,
    )
    ab, bc, ac = compare(ecosystem, a, b), compare(ecosystem, b, c), compare(ecosystem, a, c)
    assert ab <= 0
    assert bc <= 0
    assert ac <= 0
    if ab == 0:
        assert ac == bc
    if bc == 0:
        assert ab == ac
    if ab < 0 or bc < 0:
        assert ac < 0
