"""The Cataloger seam: a name, a version, the files it wants, and ``parse``.

A cataloger names the files it wants by ``globs``. One that reads executables, which may have any
name, declares ``executables`` (an ``ExecutableFiles``) instead of globbing every path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from vigil.catalog.fs import TargetFS, may_execute
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
    """One file format. ``version`` is stored with inventories; bump it when output changes.

    Optionally also ``executables: ExecutableFiles`` (read with ``executables_of``).
    """

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def globs(self) -> tuple[str, ...]: ...

    def parse(self, fs: TargetFS, path: str, env: Environment) -> ParseResult:
        """Read ``path``; report malformed content as warnings, never raise for bad input."""
        ...


@dataclass(frozen=True, slots=True)
class ExecutableFiles:
    """Files wanted for what they are, not their name: regular files with an execute bit (or no
    recorded mode), ``min_size`` to ``max_size`` bytes long, whose first ``head_size`` bytes
    ``magic`` accepts.

    The runner reads a file's head once for all the catalogers that share one instance, so
    catalogers of the same kind of executable should declare the same object.
    """

    min_size: int
    max_size: int
    magic: Callable[[bytes], bool]
    head_size: int = 4

    def admits(self, mode: int | None, size: int) -> bool:
        """Whether a file of this mode and size is a candidate (its head not yet checked)."""
        return may_execute(mode) and self.min_size <= size <= self.max_size


def executables_of(cataloger: Cataloger) -> ExecutableFiles | None:
    """The executables ``cataloger`` declares it wants, if any."""
    declared = getattr(cataloger, "executables", None)
    return declared if isinstance(declared, ExecutableFiles) else None
