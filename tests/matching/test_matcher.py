from __future__ import annotations

import dataclasses

from tests.advisories.conftest import doc_of, load_advisories
from tests.matching.conftest import MakeStore, pkg
from vigil.advisories.store import AdvisoryStore
from vigil.matching import FixState, Matcher, MatchReason


def test_language_package_matches_with_its_range_and_smallest_fix(
    real_store: AdvisoryStore,
) -> None:
    result = Matcher(real_store).match([pkg("PyPI", "Django", "4.1.9")])
    by_id = {m.vulnerability_id: m for m in result.matches}
    # PYSEC-2023-100: introduced 4.0, fixed 4.1.10 (among 4.2/4.2.3 and 3.2/3.2.20).
    match = by_id["CVE-2023-36053"]
    assert match.fix_state is FixState.FIXED
    assert match.fixed_versions == ("4.1.10",)
    (reason,) = match.reasons
    assert reason == MatchReason(
        "PYSEC-2023-100",
        0,
        "PyPI",
        0,
        (
            ("introduced", "4.2"),
            ("fixed", "4.2.3"),
            ("introduced", "4.0"),
            ("fixed", "4.1.10"),
            ("introduced", "3.2"),
            ("fixed", "3.2.20"),
        ),
    )
    assert "CVE-2023-23969" not in by_id  # fixed in 4.1.6, below 4.1.9
    assert not result.warnings


def test_git_ranges_are_skipped_but_counted_in_the_reason(real_store: AdvisoryStore) -> None:
    result = Matcher(real_store).match([pkg("PyPI", "urllib3", "1.26.16")])
    match = {m.vulnerability_id: m for m in result.matches}["CVE-2023-43804"]
    assert match.reasons[0].range_index == 1  # range 0 is the GIT one
    assert match.fixed_versions == ("1.26.17",)


def test_npm_match_picks_the_entry_of_the_installed_line(real_store: AdvisoryStore) -> None:
    result = Matcher(real_store).match(
        [pkg("npm", "semver", "6.3.0"), pkg("npm", "semver", "7.5.2")]
    )
    assert [(m.package.version, m.vulnerability_id, m.fixed_versions) for m in result.matches] == [
        ("6.3.0", "CVE-2022-25883", ("6.3.1",))
    ]
    assert result.matches[0].reasons[0].record_id == "GHSA-c2qf-rxjj-qqgw"


def test_debian_binary_matches_through_its_source_and_release(real_store: AdvisoryStore) -> None:
    jre = pkg(
        "Debian:11",
        "openjdk-11-jre-headless",
        "11.0.12+7-2",
        source=("openjdk-11", "11.0.12+7-2"),
    )
    result = Matcher(real_store).match([jre])
    dsa = [m for m in result.matches if "DSA-5000-1" in m.record_ids]
    # DSA-5000-1 fixes ten CVEs in bullseye: the bundle is reported under each of them.
    assert sorted(m.vulnerability_id for m in dsa) == [
        "CVE-2021-35550",
        "CVE-2021-35556",
        "CVE-2021-35559",
        "CVE-2021-35561",
        "CVE-2021-35564",
        "CVE-2021-35565",
        "CVE-2021-35567",
        "CVE-2021-35578",
        "CVE-2021-35586",
        "CVE-2021-35603",
    ]
    assert {m.fixed_versions for m in dsa} == {("11.0.13+8-1~deb11u1",)}
    assert all(m.package is jre for m in dsa)
    # DSA-5000-2 is the buster update: it never speaks about a bullseye package.
    assert not any("DSA-5000-2" in m.record_ids for m in result.matches)


def test_only_keeps_the_matches_of_those_vulnerabilities(real_store: AdvisoryStore) -> None:
    jre = pkg("Debian:11", "openjdk-11-jre", "11.0.12+7-2", source=("openjdk-11", "11.0.12+7-2"))
    packages = [jre, pkg("PyPI", "Django", "4.1.9")]
    full = Matcher(real_store).match(packages)
    only = {"CVE-2021-35550", "CVE-2023-36053", "CVE-1999-0001"}
    scoped = Matcher(real_store).match(packages, only)
    assert scoped.matches == tuple(m for m in full.matches if m.vulnerability_id in only)
    assert {m.vulnerability_id for m in scoped.matches} == {"CVE-2021-35550", "CVE-2023-36053"}
    assert scoped.warnings == full.warnings


def test_debian_package_of_another_release_or_newer_version_does_not_match(
    real_store: AdvisoryStore,
) -> None:
    matcher = Matcher(real_store)
    fixed = pkg("Debian:11", "openjdk-11", "11.0.13+8-1~deb11u1")
    other = pkg("Debian:12", "openjdk-11", "11.0.12+7-2")
    result = matcher.match([fixed, other])
    assert not any("DSA-5000-1" in m.record_ids for m in result.matches)


def test_alpine_origin_package_and_group_id(real_store: AdvisoryStore) -> None:
    result = Matcher(real_store).match(
        [pkg("Alpine:v3.2", "openssh-client", "6.8_p1-r9", source=("openssh", "6.8_p1-r9"))]
    )
    match = {m.vulnerability_id: m for m in result.matches}["CVE-2015-8325"]
    assert match.record_ids == ("ALPINE-CVE-2015-8325",)
    assert match.fixed_versions == ("6.8_p1-r10",)


def test_withdrawn_records_never_match(real_store: AdvisoryStore, make_store: MakeStore) -> None:
    withdrawn = next(a for a in load_advisories("pypi") if a.id == "PYSEC-2011-28")
    assert withdrawn.is_withdrawn
    old_django = pkg("PyPI", "django", "1.0.2")  # inside introduced 0 / fixed 1.1.3
    assert not any(
        "PYSEC-2011-28" in m.record_ids for m in Matcher(real_store).match([old_django]).matches
    )
    doc = doc_of("PYSEC-2011-28")
    doc.pop("withdrawn")
    revived = Matcher(make_store([doc])).match([old_django])
    assert [m.record_ids for m in revived.matches] == [("PYSEC-2011-28",)]


def test_unparseable_version_is_a_warning_naming_package_and_advisory(
    real_store: AdvisoryStore,
) -> None:
    result = Matcher(real_store).match([pkg("PyPI", "jinja2", "not a version")])
    assert not result.matches
    assert result.warnings
    assert {(w.package, w.version, w.ecosystem) for w in result.warnings} == {
        ("jinja2", "not a version", "PyPI")
    }
    assert all(w.record_id and w.record_id.startswith("PYSEC-") for w in result.warnings)
    assert "invalid" in result.warnings[0].reason


def test_an_os_package_without_release_is_a_warning(real_store: AdvisoryStore) -> None:
    result = Matcher(real_store).match([pkg("Debian", "openjdk-11", "11.0.12+7-2")])
    assert not result.matches
    assert [w.record_id for w in result.warnings] == [None]
    assert "release" in result.warnings[0].reason


def test_no_fixed_event_is_not_fixed_and_a_marker_is_wont_fix(make_store: MakeStore) -> None:
    unfixed = doc_of("DSA-5365-1")  # curl, bullseye, CVE-2023-23916
    unfixed["affected"][0]["ranges"][0]["events"] = [{"introduced": "0"}]
    ignored = doc_of("DSA-5349-1")  # gnutls28, bullseye, CVE-2023-0361
    ignored["affected"][0]["ranges"][0]["events"] = [{"introduced": "0"}]
    ignored["affected"][0]["database_specific"] = {"nodsa_reason": "ignored"}
    result = Matcher(make_store([unfixed, ignored])).match(
        [
            pkg("Debian:11", "curl", "7.74.0-1.3+deb11u7"),
            pkg("Debian:11", "libgnutls30", "3.7.1-5", source=("gnutls28", "3.7.1-5")),
        ]
    )
    states = {(m.vulnerability_id, m.fix_state, m.fixed_versions) for m in result.matches}
    assert states == {
        ("CVE-2023-23916", FixState.NOT_FIXED, ()),
        ("CVE-2023-0361", FixState.WONT_FIX, ()),
    }


def test_listed_versions_match_with_their_own_reason(make_store: MakeStore) -> None:
    doc = doc_of("GHSA-27h2-hvpr-p74q")  # jsonwebtoken < 9.0.0
    doc["affected"][0]["ranges"] = []
    doc["affected"][0]["versions"] = ["8.5.1"]
    result = Matcher(make_store([doc])).match([pkg("npm", "jsonwebtoken", "8.5.1")])
    (match,) = result.matches
    assert match.reasons[0].listed_version == "8.5.1"
    assert match.reasons[0].range_index is None
    assert match.fix_state is FixState.NOT_FIXED


def test_red_hat_entries_match_by_release_prefix(make_store: MakeStore) -> None:
    doc = doc_of("ALPINE-CVE-2015-8325")
    doc["id"] = "RHSA-TEST-0001"
    doc["affected"][0]["package"] = {
        "ecosystem": "Red Hat:enterprise_linux:9::appstream",
        "name": "openssh",
    }
    doc["affected"][0]["ranges"][0]["events"] = [{"introduced": "0"}, {"fixed": "8.7p1-30.el9"}]
    store = make_store([doc])
    inside = pkg("Red Hat:enterprise_linux:9", "openssh", "8.7p1-29.el9")
    elsewhere = pkg("Red Hat:enterprise_linux:8", "openssh", "8.0p1-19.el8")
    result = Matcher(store).match([inside, elsewhere])
    assert [(m.package, m.vulnerability_id, m.fixed_versions) for m in result.matches] == [
        (inside, "CVE-2015-8325", ("8.7p1-30.el9",))
    ]


def test_records_of_one_vulnerability_are_one_match(make_store: MakeStore) -> None:
    pysec = doc_of("PYSEC-2023-100")
    ghsa = {
        "id": "GHSA-jh3w-4vvf-mjgr",
        "modified": "2024-01-01T00:00:00Z",
        "aliases": ["CVE-2023-36053"],
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": "django"},
                "ranges": [
                    {"type": "ECOSYSTEM", "events": [{"introduced": "4.0"}, {"fixed": "4.1.10"}]}
                ],
            }
        ],
    }
    result = Matcher(make_store([pysec, ghsa])).match([pkg("PyPI", "django", "4.0.1")])
    (match,) = result.matches
    assert match.vulnerability_id == "CVE-2023-36053"
    assert match.record_ids == ("GHSA-jh3w-4vvf-mjgr", "PYSEC-2023-100")
    assert match.fixed_versions == ("4.1.10",)
    assert list(result.by_vulnerability()) == ["CVE-2023-36053"]


def test_an_answer_is_reused_for_the_same_version_but_reported_per_package(
    real_store: AdvisoryStore,
) -> None:
    first = pkg("npm", "minimist", "1.2.5")
    second = dataclasses.replace(first, cataloger="b")
    matcher = Matcher(real_store)
    result = matcher.match([first, second, pkg("npm", "minimist", "1.2.6")])
    assert [(m.package.cataloger, m.vulnerability_id) for m in result.matches] == [
        ("test", "CVE-2021-44906"),
        ("b", "CVE-2021-44906"),
    ]
    assert result.matches[0].reasons == result.matches[1].reasons
