"""Paths inside a target: cleaning archive member names and resolving symlinks within the root.

A target's root is its ``/``: an absolute link target is re-rooted there and ``..`` never climbs
above it, exactly as the kernel would inside a chroot. A hop limit catches loops.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Callable, Sequence

from vigil.targets.errors import SymlinkLoop

# Linux's PATH_MAX (4096 bytes) allows at most 2048 components; deeper names are hostile.
MAX_DEPTH = 2048


class Kind(enum.Enum):
    FILE = "file"
    DIR = "dir"
    LINK = "link"
    OTHER = "other"


# What a target holds at a path given as components: its kind and, for a symlink, its target.
Lookup = Callable[[Sequence[str]], "tuple[Kind, str] | None"]


def split(path: str) -> list[str]:
    """Components of ``path``, dropping empty and ``.`` ones; ``..`` is kept for the caller."""
    return [c for c in path.split("/") if c not in ("", ".")]


def clean_member(name: str) -> list[str] | None:
    """The components of an archive member name, or None if it climbs out (``..``) or is empty.

    Leading ``/`` and ``./`` are dropped: layers and zips use both for paths under the root.
    """
    parts = split(name)
    if not parts or len(parts) > MAX_DEPTH or ".." in parts or any("\x00" in p for p in parts):
        return None
    return parts


def resolve(
    path: str, lookup: Lookup, max_hops: int, *, follow_last: bool = True
) -> list[str] | None:
    """The canonical components ``path`` leads to inside the root, or None if nothing is there.

    Raises ``SymlinkLoop`` past ``max_hops`` links. With ``follow_last`` false a final symlink is
    returned itself rather than followed.
    """
    done: list[str] = []
    todo = deque(split(path))
    hops = 0
    while todo:
        part = todo.popleft()
        if part == "..":
            if done:
                done.pop()
            continue
        candidate = [*done, part]
        found = lookup(candidate)
        if found is None:
            return None
        kind, link = found
        if kind is Kind.LINK and (todo or follow_last):
            hops += 1
            if hops > max_hops:
                raise SymlinkLoop(f"{path}: more than {max_hops} symlinks")
            if link.startswith("/"):
                done = []
            todo.extendleft(reversed(split(link)))
            continue
        if todo and kind is not Kind.DIR:
            return None
        done = candidate
    return done
