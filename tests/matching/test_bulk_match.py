"""Matching an inventory in bulk gives exactly what matching its packages one by one gives."""

from __future__ import annotations

import gc
import sqlite3

from tests.advisories.conftest import doc_of, load_advisories
from tests.matching.conftest import MakeStore, pkg
from vigil.advisories.store import AdvisoryStore
from vigil.domain import Package
from vigil.matching import Matcher


def _inventory() -> list[Package]:
    """Every package the real records name, at versions from their own events, plus packages
    the store has no advisory for and OS packages without a release: over 500 names, so the
    store is asked in more than one chunk."""
    packages: list[Package] = []
    for advisory in load_advisories():
        for affected in advisory.affected:
            if affected.package is None or affected.package.ecosystem.startswith("Debian:"):
                continue
            events = [e.value for r in affected.ranges if r.type != "GIT" for e in r.events]
            package = affected.package
            packages.extend(
                pkg(package.ecosystem, package.name, version)
                for version in sorted(set(events) - {"0"})[:2]
            )
    for advisory in load_advisories("debian"):
        for affected in advisory.affected:
            assert affected.package is not None
            fixed = [e.value for r in affected.ranges for e in r.events if e.kind == "fixed"]
            if fixed and ":" in affected.package.ecosystem:
                name = affected.package.name
                packages.append(
                    pkg(affected.package.ecosystem, f"lib{name}-bin", "0", source=(name, fixed[0]))
                )
                packages.append(pkg(affected.package.ecosystem, name, "0.1-1"))
    packages += [pkg("PyPI", f"no-advisory-{n}", "1.0") for n in range(600)]
    packages += [pkg("Debian", "openssl", "1.1.1n-0+deb11u1"), pkg("PyPI", "jinja2", "x y")]
    return packages


def test_bulk_equals_one_by_one(real_store: AdvisoryStore) -> None:
    inventory = _inventory()
    assert len({(p.ecosystem, p.name) for p in inventory}) > 1000
    bulk = Matcher(real_store).match(inventory)
    single = Matcher(real_store)
    matches, warnings = [], []
    for package in inventory:
        found, problems = single.match_package(package)
        matches += found
        warnings += problems
    assert bulk.matches == tuple(matches)
    assert bulk.warnings == tuple(warnings)
    assert len(bulk.matches) > 1000
    assert {w.reason.split(":")[0] for w in bulk.warnings} >= {
        "Debian package without a release",
        "invalid pep440 version 'x y'",
    }
    # Asked again, the answers come from the matcher's memory and are the same.
    assert Matcher(real_store).match(inventory) == bulk


def test_a_damaged_match_entry_is_a_warning_not_a_crash(make_store: MakeStore) -> None:
    store = make_store([doc_of("GHSA-c2qf-rxjj-qqgw")])  # semver < 7.5.2 and others
    conn = sqlite3.connect(store.path)
    conn.execute("UPDATE affected SET entry = '[[[\"ECOSYSTEM\", 7]], []]'")
    conn.commit()
    conn.close()
    result = Matcher(store).match([pkg("npm", "semver", "6.3.0")])
    assert not result.matches
    assert result.warnings
    assert {w.record_id for w in result.warnings} == {"GHSA-c2qf-rxjj-qqgw"}
    assert all("damaged match entry" in w.reason for w in result.warnings)


def test_the_collector_is_left_as_it_was_found(real_store: AdvisoryStore) -> None:
    package = pkg("npm", "semver", "6.3.0")
    assert gc.isenabled()
    assert Matcher(real_store).match([package]).matches
    assert gc.isenabled()
    gc.disable()
    try:
        assert Matcher(real_store).match([package]).matches
        assert not gc.isenabled()
    finally:
        gc.enable()
