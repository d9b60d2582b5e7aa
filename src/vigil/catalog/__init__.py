"""The TargetFS seam and one cataloger per package-database or lock-file format."""

from vigil.catalog.cataloger import Cataloger, Environment, ParseResult
from vigil.catalog.fs import FileTooLarge, TargetFS, glob, read_bounded
from vigil.catalog.globbing import compile_glob, matches

__all__ = [
    "Cataloger",
    "Environment",
    "FileTooLarge",
    "ParseResult",
    "TargetFS",
    "compile_glob",
    "glob",
    "matches",
    "read_bounded",
]
