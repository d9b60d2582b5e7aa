"""What every language cataloger shares: collecting packages and warnings for one file.

Parsers raise ``Malformed`` for content they cannot read as a whole; ``FileCataloger`` turns that
into a warning. A problem limited to one entry is reported with ``Collector.warn`` and the rest
of the file is still read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from vigil.catalog.cataloger import Environment, ParseResult
from vigil.catalog.fs import FileTooLarge, TargetFS, read_bounded
from vigil.catalog.languages._coords import Coordinates
from vigil.domain import Location, Package, ScanWarning

MiB = 1024 * 1024

# Hostile files reach parsers that walk decoded JSON/TOML/YAML; a shape nobody anticipated must
# still end as a warning, never as a crash of the whole scan.
STRUCTURE_ERRORS = (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError)


class Malformed(ValueError):
    """The file cannot be read as its format; ``reason`` says precisely why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class Collector:
    """Packages and warnings of one file, each package located at that file."""

    cataloger: str
    path: str
    layer: str | None
    packages: list[Package] = field(default_factory=list)
    warnings: list[ScanWarning] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)

    def add(self, build: Callable[..., Coordinates], *fields: str) -> None:
        """Record ``build(*fields)`` once per file, however many times the file lists it.

        Fields come from the file, so one that cannot form a package URL (an empty name) is a
        warning about that entry, not the end of the file.
        """
        try:
            coords = build(*fields)
        except ValueError as exc:
            self.warn(f"cannot form a package URL from {' '.join(fields)!r}: {exc}")
            return
        if not coords.name or not coords.version or coords.purl in self._seen:
            return
        self._seen.add(coords.purl)
        location = Location(self.path, self.layer)
        self.packages.append(
            Package(
                name=coords.name,
                version=coords.version,
                ecosystem=coords.ecosystem,
                purl=coords.purl,
                cataloger=self.cataloger,
                locations=(location,),
            )
        )

    def warn(self, reason: str) -> None:
        self.warnings.append(ScanWarning(self.path, reason, self.cataloger))

    def result(self) -> ParseResult:
        return ParseResult(packages=self.packages, warnings=self.warnings)


def collector_for(cataloger: str, fs: TargetFS, path: str) -> Collector:
    return Collector(cataloger, path, fs.layer_digest(path))


def read_file(fs: TargetFS, path: str, limit: int) -> bytes:
    """Read a whole file within ``limit``; a file too large or unreadable is ``Malformed``."""
    try:
        return read_bounded(fs, path, limit)
    except FileTooLarge:
        raise Malformed(f"file is larger than the {limit} byte limit") from None
    except OSError as exc:
        raise Malformed(f"cannot read file: {exc.strerror or exc}") from None


def decode_text(data: bytes) -> str:
    """UTF-8 text (a BOM is tolerated); anything else is ``Malformed``."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Malformed(f"not UTF-8 text: invalid byte at offset {exc.start}") from None


ContentParser = Callable[[str, Collector], None]


@dataclass(frozen=True, slots=True)
class FileCataloger:
    """A cataloger for a text file read whole: a lock file, a manifest, package metadata."""

    name: str
    globs: tuple[str, ...]
    parse_content: ContentParser
    limit: int = 32 * MiB
    version: str = "1"
    # Formats whose fields of interest are ASCII may tolerate stray bytes elsewhere (an author's
    # name in Latin-1 in old core metadata) instead of rejecting the whole file.
    lenient_text: bool = False

    def parse(self, fs: TargetFS, path: str, env: Environment) -> ParseResult:
        out = collector_for(self.name, fs, path)
        try:
            data = read_file(fs, path, self.limit)
            text = data.decode("utf-8", "replace") if self.lenient_text else decode_text(data)
            self.parse_content(text, out)
        except Malformed as exc:
            out.warn(exc.reason)
        except STRUCTURE_ERRORS as exc:
            out.warn(f"unexpected structure: {type(exc).__name__}: {exc}")
        return out.result()
