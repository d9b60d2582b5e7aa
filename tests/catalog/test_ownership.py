from __future__ import annotations

from tests.catalog.dirfs import FIXTURES, DirFS
from vigil.catalog.dpkg import DpkgCataloger
from vigil.catalog.os_release import identify
from vigil.catalog.ownership import Attribution, aliases, apply_ownership
from vigil.domain import Ecosystem, Location, Package

DEBIAN12 = FIXTURES / "debian12"


def _package(name: str, ecosystem: str, *paths: str) -> Package:
    return Package(
        name=name,
        version="1",
        ecosystem=Ecosystem.parse(ecosystem),
        purl=f"pkg:generic/{name}@1",
        cataloger="test",
        locations=tuple(Location(p) for p in paths),
    )


def _real_debian_ownership() -> tuple[list[Package], dict[str, str]]:
    fs = DirFS(DEBIAN12)
    env = identify({"etc/os-release": (DEBIAN12 / "etc/os-release").read_bytes()}).environment
    cataloger = DpkgCataloger()
    packages = cataloger.parse(fs, "var/lib/dpkg/status", env).packages
    owned: dict[str, str] = {}
    for path in sorted(fs.paths()):
        if path.endswith(".list"):
            owned.update(cataloger.parse(fs, path, env).owned_paths)
    return packages, owned


def test_language_packages_owned_by_real_debian_packages_are_attributed() -> None:
    os_packages, owned = _real_debian_ownership()
    pyyaml = _package(
        "PyYAML", "PyPI", "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA"
    )
    six = _package("six", "PyPI", "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO")
    local = _package(
        "packageurl-python",
        "PyPI",
        "usr/local/lib/python3.11/dist-packages/packageurl_python-0.17.6.dist-info/METADATA",
    )

    kept, dropped = apply_ownership([*os_packages, pyyaml, six, local], owned)

    assert kept == [*os_packages, local]
    assert dropped == [
        Attribution(pyyaml, "python3-yaml", pyyaml.locations[0].path),
        Attribution(six, "python3-six", six.locations[0].path),
    ]


def test_files_left_by_a_removed_package_do_not_attribute() -> None:
    os_packages, owned = _real_debian_ownership()
    # nano is "deinstall ok config-files": its .list still names /etc/nanorc.
    assert owned["etc/nanorc"] == "nano"
    stray = _package("nanorc", "npm", "etc/nanorc")

    kept, dropped = apply_ownership([*os_packages, stray], owned)

    assert stray in kept
    assert dropped == []


def test_os_packages_are_never_dropped_and_merged_usr_paths_match() -> None:
    libc = _package("libc6", "Debian:12", "var/lib/dpkg/status")
    owned = {"lib/x86_64-linux-gnu/libc.so.6": "libc6", "var/lib/dpkg/status": "libc6"}
    in_usr = _package("glibc-wheel", "PyPI", "usr/lib/x86_64-linux-gnu/libc.so.6")

    kept, dropped = apply_ownership([libc, in_usr], owned)

    assert kept == [libc]
    assert dropped == [Attribution(in_usr, "libc6", "lib/x86_64-linux-gnu/libc.so.6")]


def test_aliases() -> None:
    assert aliases("lib/x/y") == ("lib/x/y", "usr/lib/x/y")
    assert aliases("usr/sbin/z") == ("usr/sbin/z", "sbin/z")
    assert aliases("usr/share/doc") == ("usr/share/doc",)
    assert aliases("library/x") == ("library/x",)


def test_an_unowned_copy_of_an_owned_package_stays_reported() -> None:
    os_packages, owned = _real_debian_ownership()
    debian_copy = "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA"
    bundled = "opt/app/vendor/PyYAML-6.0.dist-info/METADATA"
    # The runner merges identical copies into one package with a location per copy.
    pyyaml = _package("PyYAML", "PyPI", bundled, debian_copy)

    kept, dropped = apply_ownership([*os_packages, pyyaml], owned)

    assert kept == [*os_packages, _package("PyYAML", "PyPI", bundled)]
    assert dropped == [
        Attribution(_package("PyYAML", "PyPI", debian_copy), "python3-yaml", debian_copy)
    ]
