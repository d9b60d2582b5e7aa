"""Maven ordering and canonical forms against maven-artifact 3.9.6's ComparableVersion."""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.versions.reference import disagreements, rows
from vigil.versions import maven
from vigil.versions.scheme import InvalidVersion, compare_keys

PAIRS = rows("maven.jsonl")
JAR_PAIRS = rows("maven_jar.jsonl")
REAL_VERSIONS = sorted({v for r in PAIRS for v in (r["a"], r["b"])})


def _compare(a: str, b: str) -> int:
    return compare_keys(maven.parse(a), maven.parse(b))


@pytest.mark.parametrize("data", [PAIRS, JAR_PAIRS], ids=["maven.jsonl", "maven_jar.jsonl"])
def test_every_labelled_pair_agrees_with_maven_artifact(data: list[dict[str, object]]) -> None:
    bad = disagreements((r, r["cmp"], _compare(str(r["a"]), str(r["b"]))) for r in data)
    assert not bad, f"{len(bad)} of {len(data)} disagree:\n" + "\n".join(bad[:20])


@pytest.mark.parametrize("data", [PAIRS, JAR_PAIRS], ids=["maven.jsonl", "maven_jar.jsonl"])
def test_canonical_forms_agree_with_get_canonical(data: list[dict[str, object]]) -> None:
    got = [
        (r[f"canonical_{side}"], maven.canonical(str(r[side])), r[side])
        for r in data
        for side in "ab"
    ]
    bad = [(version, want, have) for want, have, version in got if want != have]
    assert not bad, bad[:20]


def test_reference_label_wins_over_the_fixture_that_disagrees() -> None:
    disputed = [r for r in PAIRS if r.get("agrees") is False]
    assert len(disputed) == 4
    for row in disputed:
        assert _compare(row["a"], row["b"]) == row["cmp"] != row["expected"], row


def test_canonical_equality_is_not_order_equality() -> None:
    # "1-ga-1" prints as "1-1" yet sorts below it: the null "ga" leaves a nested list behind.
    assert maven.canonical("1-ga-1") == maven.canonical("1-1") == "1-1"
    assert _compare("1-ga-1", "1-1") == -1


def test_maven_cycles_are_reproduced_pair_by_pair() -> None:
    cycles = [r for r in JAR_PAIRS if r["note"] == "cycle in Maven's own order"]
    assert len(cycles) == 9
    for first in range(0, len(cycles), 3):
        signs = {_compare(r["a"], r["b"]) for r in cycles[first : first + 3]}
        assert signs in ({-1}, {1}), cycles[first : first + 3]


def test_empty_version_is_the_only_invalid_one() -> None:
    with pytest.raises(InvalidVersion):
        maven.parse("")
    with pytest.raises(InvalidVersion):
        maven.canonical("")


@given(st.text(st.characters(exclude_categories=()), min_size=1, max_size=30))
def test_any_non_empty_string_parses(version: str) -> None:
    key = maven.parse(version)
    assert isinstance(maven.canonical(version), str)
    assert compare_keys(key, maven.parse(version)) == 0


# Maven's own relation has cycles, even among real strings ("client_hc_no_vehicle" > "0" >
# "0-SNAPSHOT" > "client_hc_no_vehicle"): they need a null item (0, ga, final, release) at the
# head of a nested list with more behind it, or a version that starts with letters. The order
# property is checked on the usual shapes without those: numbers, then one qualifier group,
# then an optional -SNAPSHOT.
_NUMBER = st.one_of(
    st.integers(0, 30).map(str),
    st.sampled_from(["0", "00", "007", "10", "2147483648", "12345678901234567890123"]),
)
_NON_ZERO = _NUMBER.filter(lambda n: n.strip("0") != "")
_ACTIVE = st.sampled_from(
    ["alpha", "Alpha", "a", "beta", "b", "milestone", "M", "rc", "RC", "cr", "snapshot",
     "SNAPSHOT", "sp", "SP", "jre", "android", "incubating", "dev", "pre"]
)  # fmt: skip
_NULL = st.sampled_from(["ga", "GA", "final", "Final", "release", "RELEASE"])
# No qualifier after a dot: Maven's own order is not transitive when a dotted qualifier meets a
# dashed one (ComparableVersion: 2.a-SNAPSHOT > 2 > 2-alpha > 2.a-SNAPSHOT, as a list item beats a
# string item); those versions are checked pair by pair against the real jar instead.
_GROUP = st.one_of(
    st.builds("-{}".format, _ACTIVE),
    st.builds("{}".format, _ACTIVE),
    st.builds("-{}{}".format, _ACTIVE, _NUMBER),
    st.builds("{}{}".format, _ACTIVE, _NUMBER),
    st.builds("-{}.{}".format, _ACTIVE, _NUMBER),
    st.builds("-{}-{}".format, _ACTIVE, _NUMBER),
    st.builds("-{}".format, _NON_ZERO),
)


@st.composite
def _realistic(draw: st.DrawFn) -> str:
    version = ".".join(draw(st.lists(_NUMBER, min_size=1, max_size=4)))
    if draw(st.booleans()):
        # A null qualifier only at the very end, where normalisation removes it.
        return version + draw(st.sampled_from("-.")) + draw(_NULL)
    if draw(st.booleans()):
        version += draw(_GROUP)
    if draw(st.booleans()):
        version += "-SNAPSHOT"
    return version


_SHAPE = re.compile(
    r"[0-9]+(?:\.[0-9]+)*"
    r"(?:[-.](?:ga|final|release)"
    r"|(?:(?:-?(?!(?:ga|final|release)(?![a-z]))[a-z]+(?:[-.]?[0-9]+)?|-0*[1-9][0-9]*)?"
    r"(?:-snapshot)?))",
    re.IGNORECASE,
)
_VERSIONS = st.one_of(
    _realistic(), st.sampled_from([v for v in REAL_VERSIONS if _SHAPE.fullmatch(v)])
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_VERSIONS, min_size=2, max_size=8))
def test_realistic_versions_are_totally_ordered(versions: list[str]) -> None:
    keys = sorted(maven.parse(v) for v in versions)
    for i, low in enumerate(keys):
        for high in keys[i:]:
            assert compare_keys(low, high) <= 0
            assert compare_keys(high, low) == -compare_keys(low, high)
            assert (compare_keys(low, high) == 0) == (low == high)
            if low == high:
                assert hash(low) == hash(high)


@given(st.lists(_NUMBER, min_size=1, max_size=5).map(".".join), _VERSIONS)
def test_plain_fast_path_matches_the_general_parser(plain: str, other: str) -> None:
    # A trailing "-" opens an empty list that normalisation drops: same version, general path.
    fast, general = maven.parse(plain), maven.parse(plain + "-")
    assert fast == general
    assert hash(fast) == hash(general)
    assert compare_keys(fast, maven.parse(other)) == compare_keys(general, maven.parse(other))


def _maven_artifact_jar() -> Path | None:
    configured = os.environ.get("VIGIL_MAVEN_ARTIFACT_JAR")
    default = Path.home() / ".m2/repository/org/apache/maven/maven-artifact/3.9.6"
    jar = Path(configured) if configured else default / "maven-artifact-3.9.6.jar"
    return jar if jar.is_file() and shutil.which("java") else None


def _random_version(rng: random.Random) -> str:
    pieces = [
        *"0123456789", "00", "10", "123", "0000000000", "99999999999999999999", ".", ".", "-",
        "-", "_", "a", "b", "m", "alpha", "beta", "milestone", "rc", "cr", "SNAPSHOT", "ga",
        "final", "release", "sp", "x", "jre", "Final", "\u0663", "\U0001d7d9", "\u00e9",
    ]  # fmt: skip
    return "".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))


def test_random_versions_agree_with_the_maven_artifact_jar() -> None:
    """Differential check against the real implementation, odd inputs included."""
    jar = _maven_artifact_jar()
    if jar is None:
        pytest.skip("java or maven-artifact-3.9.6.jar not found (set VIGIL_MAVEN_ARTIFACT_JAR)")
    rng = random.Random(20240306)
    versions = [_random_version(rng) for _ in range(3000)]
    result = subprocess.run(
        ["java", "-Dfile.encoding=UTF-8", "-jar", str(jar), *versions],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "LC_ALL": "C.UTF-8"},
        check=True,
        timeout=120,
    )
    # Output: a header, then per version "N. v -> canonical; tokens: [...]", and between
    # consecutive versions "   previous <op> next".
    lines = iter(result.stdout.splitlines()[1:])
    mismatches = []
    for n, version in enumerate(versions):
        if n:
            previous = versions[n - 1]
            line = next(lines)
            op = line[len(previous) + 4 : len(line) - len(version) - 1]
            want = {"<": -1, "==": 0, ">": 1}[op]
            if _compare(previous, version) != want:
                mismatches.append((previous, op, version))
        line = next(lines)
        canonical = line[len(f"{n + 1}. {version} -> ") :].split("; tokens: ")[0]
        if maven.canonical(version) != canonical:
            mismatches.append((version, "canonical", canonical))
    assert not mismatches, mismatches[:20]
