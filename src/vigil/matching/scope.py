"""Which advisories may speak about a package: the ecosystem, name and version a lookup uses.

- Language packages: their own ecosystem, name and version (entries of any release).
- Distribution packages: the *source* package name and version (distributions key advisories by
  source), and only entries of the package's exact release: ``Debian:12`` is answered by
  ``Debian:12`` entries, ``Alpine:v3.19`` by ``Alpine:v3.19``, ``Ubuntu:22.04:LTS`` by
  ``Ubuntu:22.04:LTS`` (not by ``Ubuntu:Pro:22.04:LTS``: those fixes need a subscription the
  host may not have). Entries without a release are not used for OS packages: a fix version in
  one release says nothing about another.
- Red Hat scopes records per repository (``Red Hat:enterprise_linux:9::appstream``), while an
  installed system knows its product stream (``enterprise_linux:9``): entries match when their
  release is the package's release or starts with it followed by ``::``.

No CPE guessing: a package without an ecosystem never reaches the matcher.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.domain import Package

_REPOSITORY_SCOPED = frozenset({"Red Hat"})


@dataclass(frozen=True, slots=True)
class Scope:
    """``lookup_ecosystem`` is what the store is asked with (release included when exact)."""

    lookup_ecosystem: str
    name: str
    version: str
    base: str
    release: str  # empty for language packages
    prefix: bool  # Red Hat style: accept ``release::repository`` entries too

    def accepts(self, entry_ecosystem: str) -> bool:
        if not self.release:
            return True
        entry_release = entry_ecosystem.partition(":")[2]
        if entry_release == self.release:
            return True
        return self.prefix and entry_release.startswith(self.release + "::")


class Unscoped(ValueError):
    """An OS package whose release is unknown: its advisories cannot be chosen safely."""


def scope_of(package: Package) -> Scope:
    ecosystem = package.ecosystem
    if not ecosystem.is_os:
        return Scope(str(ecosystem), package.name, package.version, ecosystem.name, "", False)
    if not ecosystem.release:
        raise Unscoped(f"{ecosystem.name} package without a release: advisories are per release")
    prefix = ecosystem.name in _REPOSITORY_SCOPED
    return Scope(
        ecosystem.name if prefix else str(ecosystem),
        package.match_name,
        package.match_version,
        ecosystem.name,
        ecosystem.release,
        prefix,
    )
