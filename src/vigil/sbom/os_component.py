"""An operating-system element of an SBOM (CycloneDX component, SPDX package) as an ecosystem."""

from __future__ import annotations

from vigil.domain import Ecosystem, UnknownEcosystem
from vigil.sbom.distro import ecosystem_of_os


def distro_of(name: str, version: str) -> tuple[Ecosystem | None, str | None]:
    """The ecosystem an OS element names, or None and the reason it names none."""
    try:
        # Vigil writes the OSV name and release ("Debian" "12", "Red Hat" "enterprise_linux:9").
        named = Ecosystem.parse(f"{name}:{version}" if version else name)
    except UnknownEcosystem:
        named = None
    if named is not None and named.is_os:
        return named, None
    # Others write the os-release ID and VERSION_ID ("debian" "12").
    found = ecosystem_of_os(name, version)
    if found is None:
        return None, f"operating system {name!r} {version!r} has no OSV ecosystem Vigil knows"
    return found, None
