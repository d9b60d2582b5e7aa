"""The parse step every binary cataloger shares: open one executable, read, never raise.

What a cataloger reads from a binary differs (Go build info, a cargo-auditable section); how a
damaged or hostile file is reported does not, so it lives here once.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import TypeVar

from vigil.catalog.cataloger import ParseResult
from vigil.catalog.fs import TargetFS
from vigil.catalog.languages._executable import Executable, open_executable
from vigil.catalog.languages._support import STRUCTURE_ERRORS, Collector, Malformed, collector_for

Found = TypeVar("Found")


def catalog_executable(
    cataloger: str,
    fs: TargetFS,
    path: str,
    read: Callable[[Executable], Found | None],
    add: Callable[[Found, Collector], None],
) -> ParseResult:
    """Packages ``add`` derives from what ``read`` finds in the executable at ``path``.

    Truncation, bad structure and unreadable files become warnings naming the file.
    """
    out = collector_for(cataloger, fs, path)
    try:
        with open_executable(fs, path) as exe:
            found = read(exe) if exe is not None else None
        if found is not None:
            add(found, out)
    except Malformed as exc:
        out.warn(exc.reason)
    except (OSError, struct.error) as exc:
        out.warn(f"cannot read executable: {exc}")
    except STRUCTURE_ERRORS as exc:
        out.warn(f"unexpected structure: {type(exc).__name__}: {exc}")
    return out.result()
