"""Report a language package installed by the OS package manager once, as the OS package.

``python3-yaml`` (dpkg) owns ``usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA``;
the PyPI cataloger also finds PyYAML there. The distribution patches and tracks it under its
own source package, so reporting the PyPI copy too would double the findings and match the
wrong advisories (anchore/grype#2210). A language package is dropped when an OS package that
the inventory reports owns its evidence file. The runner merges identical copies into one package
with one location each, so ownership is decided per location: an application's own copy of a jar
that Debian also installs stays reported, located where the application keeps it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from vigil.domain import Package

# Merged-/usr systems list files under /lib but install them under /usr/lib (and vice versa).
_MERGED_USR = ("bin/", "sbin/", "lib/", "lib32/", "lib64/", "libx32/")


@dataclass(frozen=True, slots=True)
class Attribution:
    """A language package left out because ``owner`` (an OS package) installed it."""

    package: Package
    owner: str
    path: str


def aliases(path: str) -> tuple[str, ...]:
    """``path`` and its merged-/usr twin, if it has one."""
    if path.startswith(_MERGED_USR):
        return path, "usr/" + path
    if path.startswith("usr/") and path[4:].startswith(_MERGED_USR):
        return path, path[4:]
    return (path,)


def owner_of(
    package: Package, owned: Mapping[str, str], os_names: frozenset[str]
) -> tuple[str, str] | None:
    """The (OS package, path) owning one of ``package``'s evidence files, if any."""
    for location in package.locations:
        found = _owner(location.path, owned, os_names)
        if found is not None:
            return found
    return None


def _owner(path: str, owned: Mapping[str, str], os_names: frozenset[str]) -> tuple[str, str] | None:
    for alias in aliases(path):
        owner = owned.get(alias)
        # Ownership lists of removed packages linger (dpkg keeps them for conffiles).
        if owner is not None and owner in os_names:
            return owner, alias
    return None


def apply_ownership(
    packages: Sequence[Package], owned: Mapping[str, str]
) -> tuple[list[Package], list[Attribution]]:
    """Split packages into those to report and the language packages an OS package owns.

    A package found at several locations (copies) keeps the locations no OS package owns; it is
    attributed only when an OS package owns every copy.
    """
    os_names = frozenset(_os_names(packages))
    kept: list[Package] = []
    dropped: list[Attribution] = []
    for package in packages:
        if package.ecosystem.is_os:
            kept.append(package)
            continue
        owners = [_owner(location.path, owned, os_names) for location in package.locations]
        found = next((owner for owner in owners if owner is not None), None)
        if found is None:
            kept.append(package)
            continue
        free = tuple(loc for loc, owner in zip(package.locations, owners, strict=True) if not owner)
        if free:
            taken = tuple(loc for loc in package.locations if loc not in free)
            kept.append(replace(package, locations=free))
            dropped.append(Attribution(replace(package, locations=taken), *found))
        else:
            dropped.append(Attribution(package, *found))
    return kept, dropped


def _os_names(packages: Iterable[Package]) -> Iterable[str]:
    return (p.name for p in packages if p.ecosystem.is_os)
