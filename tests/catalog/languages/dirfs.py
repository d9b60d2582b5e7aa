"""A directory-backed TargetFS for cataloger tests, and a helper that runs one cataloger."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from vigil.catalog import Cataloger, Environment, ParseResult, glob
from vigil.catalog.cataloger import executables_of
from vigil.domain import Package, ScanWarning

FIXTURES = Path(__file__).parent / "fixtures"


class DirFS:
    """Regular files under ``root``; optionally claims every file came from one image layer."""

    def __init__(self, root: Path, layer: str | None = None) -> None:
        self.root = root
        self.layer = layer

    def paths(self) -> Iterator[str]:
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                full = Path(dirpath, name)
                if full.is_file() and not full.is_symlink():
                    yield full.relative_to(self.root).as_posix()

    def open(self, path: str) -> IO[bytes]:
        return (self.root / path).open("rb")

    def size(self, path: str) -> int:
        return (self.root / path).stat().st_size

    def mode(self, path: str) -> int | None:
        return (self.root / path).stat().st_mode & 0o7777

    def layer_digest(self, path: str) -> str | None:
        return self.layer


def scan(cataloger: Cataloger, root: Path, layer: str | None = None) -> ParseResult:
    """Run ``cataloger`` on every file of ``root`` it asks for, as the runner would."""
    fs = DirFS(root, layer)
    merged = ParseResult()
    paths = sorted(
        {p for pattern in cataloger.globs for p in glob(fs, pattern)}
        | {p for p in fs.paths() if _is_wanted_executable(cataloger, fs, p)}
    )
    for path in paths:
        result = cataloger.parse(fs, path, Environment())
        merged.packages.extend(result.packages)
        merged.warnings.extend(result.warnings)
    return merged


def _is_wanted_executable(cataloger: Cataloger, fs: DirFS, path: str) -> bool:
    files = executables_of(cataloger)
    if files is None or not files.admits(fs.mode(path), fs.size(path)):
        return False
    with fs.open(path) as fh:
        return files.magic(fh.read(files.head_size))


def triples(packages: list[Package]) -> list[tuple[str, str, str]]:
    """``(name, version, purl)`` of each package, sorted: what the tests compare exactly."""
    return sorted((p.name, p.version, p.purl) for p in packages)


def reasons(warnings: list[ScanWarning]) -> list[tuple[str, str]]:
    return sorted((w.path, w.reason) for w in warnings)
