"""OSV ecosystem names, with the release suffix that distributions carry (``Debian:12``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class EcosystemKind(Enum):
    """Whether an ecosystem is an operating-system distribution or a language registry."""

    OS = "os"
    LANGUAGE = "language"


# Base names exactly as the OSV schema spells them. Explicit on purpose: an unknown name is a
# question for the caller, never a silent default.
_KNOWN: dict[str, EcosystemKind] = {
    "AlmaLinux": EcosystemKind.OS,
    "Alpine": EcosystemKind.OS,
    "Alpaquita": EcosystemKind.OS,
    "BellSoft Hardened Containers": EcosystemKind.OS,
    "Chainguard": EcosystemKind.OS,
    "Debian": EcosystemKind.OS,
    "Mageia": EcosystemKind.OS,
    "MinimOS": EcosystemKind.OS,
    "openEuler": EcosystemKind.OS,
    "openSUSE": EcosystemKind.OS,
    "Photon OS": EcosystemKind.OS,
    "Red Hat": EcosystemKind.OS,
    "Rocky Linux": EcosystemKind.OS,
    "SUSE": EcosystemKind.OS,
    "Ubuntu": EcosystemKind.OS,
    "Wolfi": EcosystemKind.OS,
    "Bitnami": EcosystemKind.LANGUAGE,
    "crates.io": EcosystemKind.LANGUAGE,
    "Go": EcosystemKind.LANGUAGE,
    "Hackage": EcosystemKind.LANGUAGE,
    "Hex": EcosystemKind.LANGUAGE,
    "Maven": EcosystemKind.LANGUAGE,
    "npm": EcosystemKind.LANGUAGE,
    "NuGet": EcosystemKind.LANGUAGE,
    "Packagist": EcosystemKind.LANGUAGE,
    "Pub": EcosystemKind.LANGUAGE,
    "PyPI": EcosystemKind.LANGUAGE,
    "RubyGems": EcosystemKind.LANGUAGE,
    "SwiftURL": EcosystemKind.LANGUAGE,
}


class UnknownEcosystem(ValueError):
    """Raised for an ecosystem name that is not one of OSV's."""


@dataclass(frozen=True, slots=True, order=True)
class Ecosystem:
    """An OSV ecosystem: a base name and, for distributions, a release (``Debian`` + ``12``).

    The release keeps everything after the first colon, so ``Ubuntu:22.04:LTS`` has release
    ``22.04:LTS`` and round-trips unchanged.
    """

    name: str
    release: str = ""

    @classmethod
    def parse(cls, text: str) -> Ecosystem:
        """Parse an OSV ecosystem string, rejecting names OSV does not define."""
        base, _, release = text.partition(":")
        if base not in _KNOWN:
            raise UnknownEcosystem(f"unknown ecosystem {text!r}")
        return cls(base, release)

    @property
    def kind(self) -> EcosystemKind:
        return _KNOWN[self.name]

    @property
    def is_os(self) -> bool:
        return self.kind is EcosystemKind.OS

    def with_release(self, release: str) -> Ecosystem:
        return Ecosystem(self.name, release)

    @property
    def base(self) -> Ecosystem:
        """The ecosystem without its release (``Debian:12`` -> ``Debian``)."""
        return Ecosystem(self.name)

    def __str__(self) -> str:
        return f"{self.name}:{self.release}" if self.release else self.name


def known_ecosystem_names() -> tuple[str, ...]:
    """Every base name Vigil recognises, sorted."""
    return tuple(sorted(_KNOWN, key=str.lower))
