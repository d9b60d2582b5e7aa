"""Go binaries: the toolchain (as module ``stdlib``), the main module and every dependency.

A Go binary may have any name, so the cataloger asks for executables (an execute bit and an
ELF, Mach-O or PE magic number) rather than globbing every path; nothing is ever executed. A
dependency replaced by another module is reported as the replacement; one replaced by a local
directory keeps its declared version, since that is the best evidence of what was copied there.
A main module built from a work tree (``(devel)``) has no version to report.
"""

from __future__ import annotations

from vigil.catalog.cataloger import Environment, ParseResult
from vigil.catalog.fs import TargetFS
from vigil.catalog.languages import _coords
from vigil.catalog.languages._binary import catalog_executable
from vigil.catalog.languages._executable import NATIVE_EXECUTABLES
from vigil.catalog.languages._support import Collector
from vigil.catalog.languages.go_buildinfo import BuildInfo, Module, read_build_info, stdlib_version


def _effective(module: Module) -> tuple[str, str]:
    """The module whose code was built: the replacement, unless that is a local directory."""
    if module.replaced_by is not None:
        path, version = module.replaced_by
        if version and version != "(devel)" and not path.startswith((".", "/")):
            return path, version
    return module.path, module.version


def add_build_info(info: BuildInfo, out: Collector) -> None:
    stdlib = stdlib_version(info.go_version)
    if stdlib is not None:
        out.add(_coords.go_stdlib, stdlib)
    if info.main is not None:
        path, version = _effective(info.main)
        if version and version != "(devel)":
            out.add(_coords.golang, path, version)
    for dep in info.deps:
        out.add(_coords.golang, *_effective(dep))


class GoBinaryCataloger:
    name = "go-binary"
    version = "2"  # 2: files without an execute bit are no longer read
    globs: tuple[str, ...] = ()
    executables = NATIVE_EXECUTABLES

    def parse(self, fs: TargetFS, path: str, env: Environment) -> ParseResult:
        return catalog_executable(self.name, fs, path, read_build_info, add_build_info)


CATALOGER = GoBinaryCataloger()
