"""Entries compiled from packed match entries behave exactly as ``versions.compile_affected``."""

from __future__ import annotations

import pytest

from tests.advisories.conftest import load_advisories
from vigil.advisories.match_entry import MatchEntry
from vigil.domain import Advisory, Affected
from vigil.matching.evaluate import CompiledEntry, compile_entry
from vigil.versions import CompiledAffected, InvalidVersion, UnsupportedEcosystem, compile_affected
from vigil.versions.scheme import SortKey


def _same_key(a: SortKey | None, b: SortKey | None) -> bool:
    if a is None or b is None:
        return a is b
    return not a < b and not b < a


def _same(ours: CompiledAffected, theirs: CompiledAffected) -> None:
    assert ours.scheme is theirs.scheme
    assert ours.listed == theirs.listed
    assert len(ours.ranges) == len(theirs.ranges)
    for mine, reference in zip(ours.ranges, theirs.ranges, strict=True):
        assert mine.scheme is reference.scheme
        assert [kind for kind, _ in mine.events] == [kind for kind, _ in reference.events]
        assert all(
            _same_key(a, b) for (_, a), (_, b) in zip(mine.events, reference.events, strict=True)
        )
        assert len(mine.limits) == len(reference.limits)
        assert all(_same_key(a, b) for a, b in zip(mine.limits, reference.limits, strict=True))


def _full(ecosystem: str, affected: Affected) -> MatchEntry:
    """The match entry with every listed version (the store keeps only the uncovered ones)."""
    return MatchEntry.of(ecosystem, affected)._replace(versions=affected.versions)


def _entries() -> list[tuple[Advisory, str, Affected]]:
    return [
        (advisory, affected.package.ecosystem, affected)
        for advisory in load_advisories()
        for affected in advisory.affected
        if affected.package is not None
    ]


def test_every_real_entry_compiles_to_the_reference_form() -> None:
    compiled = refused = 0
    for _, ecosystem, affected in _entries():
        try:
            reference = compile_affected(ecosystem, affected)
        except (InvalidVersion, UnsupportedEcosystem) as exc:
            try:
                compile_entry(ecosystem, _full(ecosystem, affected))
            except type(exc):
                refused += 1
                continue
            raise AssertionError(f"{ecosystem}: compiled here, refused by the reference") from exc
        _same(compile_entry(ecosystem, _full(ecosystem, affected)), reference)
        compiled += 1
    assert compiled > 3000


def test_tied_events_keep_the_records_order() -> None:
    # Two events at one version: the reference keeps the record's order, and so must we.
    affected = Affected.model_validate(
        {
            "ranges": [
                {
                    "type": "ECOSYSTEM",
                    "events": [{"introduced": "1.0"}, {"fixed": "2.0"}, {"introduced": "2.0.0"}],
                }
            ]
        }
    )
    ours = compile_entry("PyPI", MatchEntry.of("PyPI", affected))
    assert [kind for kind, _ in ours.ranges[0].events] == ["introduced", "fixed", "introduced"]
    _same(ours, compile_affected("PyPI", affected))
    assert ours.includes("2.0") is compile_affected("PyPI", affected).includes("2.0") is True


def test_decisions_agree_with_the_reference_on_every_event_and_listed_version() -> None:
    """Each entry, compiled from what the store keeps, asked about the versions its own events
    and list name, those respelled (``1.0`` and ``1.0.0`` are one PEP 440 version), and a few
    more: the answers are the reference's on the whole record."""
    asked = agreed = dropped = 0
    for _, ecosystem, affected in _entries():
        try:
            reference = compile_affected(ecosystem, affected)
        except (InvalidVersion, UnsupportedEcosystem):
            continue
        stored = MatchEntry.of(ecosystem, affected)
        dropped += len(affected.versions) - len(stored.versions)
        entry = CompiledEntry(ecosystem, stored)
        values = {e.value for r in affected.ranges if r.type != "GIT" for e in r.events}
        listed = {*affected.versions[:40], *stored.versions}
        values |= listed | {f"{v}.0" for v in listed} | {"0.0.1", "1.0", "9999"}
        for version in sorted(values - {"0"}):
            try:
                expected = reference.includes(version)
                hit = entry.check(version, {})
            except InvalidVersion:
                continue
            asked += 1
            agreed += (hit is not None) == expected
            assert (hit is not None) == expected, (ecosystem, version, affected)
    assert asked > 10_000
    assert dropped > 10_000  # the real PyPI records list many versions their ranges cover
    assert agreed == asked


def test_only_listed_versions_a_range_of_the_entrys_scheme_covers_are_left_out() -> None:
    affected = Affected.model_validate(
        {
            "ranges": [
                {"type": "ECOSYSTEM", "events": [{"introduced": "1.0"}, {"fixed": "1.2"}]},
                {"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "3.0.0"}]},
            ],
            "versions": ["1.0", "1.1", "1.2", "2.0.0", "nonsense!", "0.9"],
        }
    )
    # 2.0.0 and 0.9 lie in the SEMVER range only: another scheme, so they stay.
    assert MatchEntry.of("PyPI", affected).versions == ("1.2", "2.0.0", "nonsense!", "0.9")
    without_ranges = affected.model_copy(update={"ranges": ()})
    assert MatchEntry.of("PyPI", without_ranges).versions == affected.versions
    assert MatchEntry.of("NoSuchEcosystem", affected).versions == affected.versions


def test_an_unparseable_listed_version_matches_itself() -> None:
    affected = Affected.model_validate(
        {
            "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0.2"}]}],
            "versions": ["0.1", "0.1-bulbasaur"],
        }
    )
    assert compile_affected("PyPI", affected).includes("0.1-bulbasaur")
    entry = CompiledEntry("PyPI", MatchEntry.of("PyPI", affected))
    hit = entry.check("0.1-bulbasaur", {})
    assert hit is not None
    assert (hit.range_index, hit.listed_version, hit.fixed) == (None, "0.1-bulbasaur", None)
    with pytest.raises(InvalidVersion, match=r"0\.3-bulbasaur"):
        entry.check("0.3-bulbasaur", {})
