"""The Cataloger seam: a name, a version, the globs it wants, and ``parse``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from vigil.catalog.fs import TargetFS
from vigil.domain import Ecosystem, Package, ScanWarning


@dataclass(frozen=True, slots=True)
class Environment:
    """What is known about the target before packages are parsed: its distribution, if any."""

    distro: Ecosystem | None = None
    os_release: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class ParseResult:
    """Packages read from one file, what could not be read, and paths an OS package owns.

    ``owned_paths`` lets the ownership step attribute a language package installed by the OS
    package manager to the OS package instead of reporting it twice.
    """

    packages: list[Package] = field(default_factory=list)
    warnings: list[ScanWarning] = field(default_factory=list)
    owned_paths: dict[str, str] = field(default_factory=dict)  # path -> owning package name


class Cataloger(Protocol):
    """One file format. ``version`` is stored with inventories; bump it when output changes."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def globs(self) -> tuple[str, ...]: ...

    def parse(self, fs: TargetFS, path: str, env: Environment) -> ParseResult:
        """Read ``path``; report malformed content as warnings, never raise for bad input."""
        ...
