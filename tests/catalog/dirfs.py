"""A directory-backed TargetFS for the OS cataloger and runner tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

FIXTURES = Path(__file__).parent / "fixtures"


class DirFS:
    """Regular files under ``root`` (symlinks are not followed); one optional layer digest."""

    def __init__(self, root: Path, layer: str | None = None) -> None:
        self.root = root
        self.layer = layer
        self.opened: list[str] = []

    def paths(self) -> Iterator[str]:
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                full = Path(dirpath, name)
                if full.is_file() and not full.is_symlink():
                    yield full.relative_to(self.root).as_posix()

    def open(self, path: str) -> IO[bytes]:
        full = self.root / path
        if full.is_symlink() or not full.is_file():
            raise FileNotFoundError(path)
        self.opened.append(path)
        return full.open("rb")

    def size(self, path: str) -> int:
        return (self.root / path).stat().st_size

    def mode(self, path: str) -> int | None:
        return (self.root / path).stat().st_mode & 0o7777

    def layer_digest(self, path: str) -> str | None:
        return self.layer
