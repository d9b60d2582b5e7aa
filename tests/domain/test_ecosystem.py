from __future__ import annotations

import pytest

from vigil.domain import Ecosystem, UnknownEcosystem


@pytest.mark.parametrize(
    ("text", "name", "release"),
    [
        ("Debian:12", "Debian", "12"),
        ("Ubuntu:22.04:LTS", "Ubuntu", "22.04:LTS"),
        ("Ubuntu:Pro:18.04:LTS", "Ubuntu", "Pro:18.04:LTS"),
        ("Alpine:v3.19", "Alpine", "v3.19"),
        ("Red Hat", "Red Hat", ""),
        ("Rocky Linux:9", "Rocky Linux", "9"),
        ("PyPI", "PyPI", ""),
        ("crates.io", "crates.io", ""),
    ],
)
def test_parse_round_trips(text: str, name: str, release: str) -> None:
    eco = Ecosystem.parse(text)
    assert (eco.name, eco.release) == (name, release)
    assert str(eco) == text


def test_kind_and_base() -> None:
    assert Ecosystem.parse("Debian:12").is_os
    assert not Ecosystem.parse("npm").is_os
    assert Ecosystem.parse("Debian:12").base == Ecosystem("Debian")


@pytest.mark.parametrize("text", ["", "debian:12", "pypi", "Nonsense"])
def test_unknown_names_are_rejected(text: str) -> None:
    with pytest.raises(UnknownEcosystem):
        Ecosystem.parse(text)
