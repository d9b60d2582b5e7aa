"""What every opener returns: a TargetFS that also reports warnings and must be closed."""

from __future__ import annotations

from collections.abc import Iterable
from types import TracebackType
from typing import IO, Protocol, Self

from vigil.catalog.fs import Wanted
from vigil.domain import ScanWarning

__all__ = ["Closing", "OpenedTarget", "Wanted", "want_nothing"]


def want_nothing(path: str, mode: int, size: int) -> bool:
    return False


class OpenedTarget(Protocol):
    """A ``vigil.catalog.TargetFS`` plus what a scan needs around it.

    ``warnings`` lists what was skipped while indexing; ``complete`` is false when a bound cut the
    index short, so the inventory must not be presented as whole.
    """

    warnings: list[ScanWarning]
    complete: bool

    def paths(self) -> Iterable[str]: ...

    def open(self, path: str) -> IO[bytes]: ...

    def size(self, path: str) -> int: ...

    def mode(self, path: str) -> int | None: ...

    def layer_digest(self, path: str) -> str | None: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class Closing:
    """Context-manager behaviour for the openers' file systems."""

    def close(self) -> None:
        """Release what the target holds; the default holds nothing."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
