from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.advisories.normalize import PackageKey, ecosystem_base, index_key, normalize_name

OSV = Path(__file__).parent.parent / "data" / "osv"


@pytest.mark.parametrize(
    ("ecosystem", "name", "expected"),
    [
        # PEP 503: separator runs collapse, case folds.
        ("PyPI", "Flask_SQLAlchemy", "flask-sqlalchemy"),
        ("PyPI", "zope.interface", "zope-interface"),
        ("PyPI", "Foo__-.Bar", "foo-bar"),
        ("PyPI", " Jinja2 ", "jinja2"),
        # crates.io: one crate whatever the case and -/_ spelling.
        ("crates.io", "Inflector", "inflector"),
        ("crates.io", "serde_derive", "serde-derive"),
        ("NuGet", "Newtonsoft.Json", "newtonsoft.json"),
        ("Packagist", "Symfony/Http-Kernel", "symfony/http-kernel"),
        ("Debian:12", "OpenSSL", "openssl"),
        ("Ubuntu:22.04:LTS", "Linux", "linux"),
        ("Alpine:v3.19", "Busybox", "busybox"),
        # Case-sensitive ecosystems keep the name, minus surrounding whitespace.
        ("Maven", "org.Apache.logging.log4j:log4j-core", "org.Apache.logging.log4j:log4j-core"),
        ("Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"),
        ("npm", "JSONStream ", "JSONStream"),
        ("npm", "@Babel/core", "@Babel/core"),
        ("RubyGems", "Saikuro", "Saikuro"),
        ("Red Hat:enterprise_linux:9", "NetworkManager", "NetworkManager"),
        ("crates.io", "tokio", "tokio"),
        # Unknown ecosystems are stored, not folded.
        ("GitHub Actions", "Actions/Checkout", "Actions/Checkout"),
    ],
)
def test_rules(ecosystem: str, name: str, expected: str) -> None:
    assert normalize_name(ecosystem, name) == expected
    assert index_key(ecosystem, name) == PackageKey(ecosystem_base(ecosystem), expected)


def test_release_suffix_is_not_part_of_the_key() -> None:
    assert index_key("Debian:12", "curl") == index_key("Debian:11", "curl") == ("Debian", "curl")
    assert ecosystem_base("Ubuntu:Pro:22.04:LTS") == "Ubuntu"


def test_pypi_spellings_found_in_the_wild_meet_the_advisory_name() -> None:
    # Spellings an installed dist-info or a lock file may carry for records of the fixture set.
    index = json.loads((OSV / "pypi" / "index.json").read_text())["packages"]
    for advisory_name in index:
        for spelling in (advisory_name.upper(), advisory_name.replace("-", "_")):
            assert index_key("PyPI", spelling) == index_key("PyPI", advisory_name)


@given(st.sampled_from(["PyPI", "crates.io", "NuGet", "Debian:12", "npm", "Maven"]), st.text())
def test_normalising_is_idempotent(ecosystem: str, name: str) -> None:
    once = normalize_name(ecosystem, name)
    assert normalize_name(ecosystem, once) == once
