from __future__ import annotations

import io
from pathlib import Path
from typing import IO

import pytest

from tests.catalog.languages.dirfs import FIXTURES, DirFS, triples
from vigil.catalog import Environment, compile_glob
from vigil.catalog.cataloger import executables_of
from vigil.catalog.languages import LANGUAGE_CATALOGERS, _coords, java_archive, npm_package_lock
from vigil.catalog.languages._executable import NATIVE_EXECUTABLES
from vigil.catalog.languages._support import Collector


def test_language_catalogers_are_named_versioned_and_ask_for_files() -> None:
    names = [c.name for c in LANGUAGE_CATALOGERS]
    assert len(names) == len(set(names)) == 20
    by_content = {"go-binary", "rust-auditable-binary"}
    revised = by_content | {"java-archive"}
    for cataloger in LANGUAGE_CATALOGERS:
        assert cataloger.version == ("2" if cataloger.name in revised else "1")
        assert bool(cataloger.globs) != (executables_of(cataloger) is not None)
        for pattern in cataloger.globs:
            assert pattern != "**/*"  # a catch-all would send every file to the cataloger
            compile_glob(pattern)
    # One declaration for both, so the runner reads a file's magic number once for the two.
    shared = {id(executables_of(c)) for c in LANGUAGE_CATALOGERS if c.name in by_content}
    assert shared == {id(NATIVE_EXECUTABLES)}


@pytest.mark.parametrize(
    ("coords", "purl"),
    [
        (_coords.pypi("Foo_Bar", "1.0"), "pkg:pypi/foo-bar@1.0"),
        (_coords.pypi("zope.interface", "6.1"), "pkg:pypi/zope.interface@6.1"),
        (_coords.npm("@types/node", "20.1.0"), "pkg:npm/%40types/node@20.1.0"),
        (_coords.maven("org.x", "y", "1.0"), "pkg:maven/org.x/y@1.0"),
        (_coords.golang("github.com/a/b/v2", "v2.1.0"), "pkg:golang/github.com/a/b/v2@v2.1.0"),
        (_coords.golang("gopkg.in/yaml.v3", "v3.0.1"), "pkg:golang/gopkg.in/yaml.v3@v3.0.1"),
        (_coords.go_stdlib("1.21.5"), "pkg:golang/stdlib@1.21.5"),
        (_coords.cargo("serde", "1.0.0"), "pkg:cargo/serde@1.0.0"),
        (_coords.gem("rack", "2.2.22"), "pkg:gem/rack@2.2.22"),
        (_coords.composer("Symfony/Console", "v6.3.0"), "pkg:composer/symfony/console@v6.3.0"),
        (_coords.nuget("Newtonsoft.Json", "13.0.1"), "pkg:nuget/Newtonsoft.Json@13.0.1"),
    ],
)
def test_purls_follow_the_spec_per_type(coords: _coords.Coordinates, purl: str) -> None:
    assert coords.purl == purl


def test_osv_names_and_versions() -> None:
    assert _coords.maven("org.x", "y", "1.0")[:2] == ("org.x:y", "1.0")
    assert _coords.golang("github.com/a/b", "v1.2.3")[:2] == ("github.com/a/b", "1.2.3")
    assert _coords.composer("a/b", "v1.2.3")[:2] == ("a/b", "1.2.3")
    assert _coords.pypi("Foo_Bar", "1.0").name == "Foo_Bar"  # the distribution's own spelling


def test_entry_that_cannot_form_a_purl_is_a_warning_not_a_crash() -> None:
    out = Collector("npm-package-lock", "package-lock.json", None)
    out.add(_coords.npm, "@scope/", "1.0.0")
    out.add(_coords.npm, "ok", "1.0.0")
    out.add(_coords.npm, "ok", "1.0.0")
    assert triples(out.packages) == [("ok", "1.0.0", "pkg:npm/ok@1.0.0")]
    assert len(out.warnings) == 1
    assert out.warnings[0].reason.startswith("cannot form a package URL from '@scope/ 1.0.0'")


class _Unseekable(io.RawIOBase):
    """A stream that can only be read forward, as a tar member read from a pipe would be."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        chunk = self._inner.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


class _StreamFS(DirFS):
    def open(self, path: str) -> IO[bytes]:
        return io.BufferedReader(_Unseekable((self.root / path).read_bytes()))


def test_archives_on_unseekable_sources_are_read_in_memory() -> None:
    fs = _StreamFS(FIXTURES / "java")
    result = java_archive.CATALOGER.parse(fs, "usr/share/java/commons-lang3.jar", Environment())
    assert [p.name for p in result.packages] == ["org.apache.commons:commons-lang3"]


def test_file_that_is_not_utf8_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "package-lock.json").write_bytes(b'{"name": "\xff"}')
    result = npm_package_lock.CATALOGER.parse(DirFS(tmp_path), "package-lock.json", Environment())
    assert [w.reason for w in result.warnings] == ["not UTF-8 text: invalid byte at offset 10"]


def test_go_binary_on_an_unseekable_source(tmp_path: Path) -> None:
    from tests.catalog.languages.fixtures.binaries import binary
    from vigil.catalog.languages import go_binary

    found = binary("esbuild-0.17.19-linux-x64")
    if found is None:
        pytest.skip("esbuild could not be fetched with npm (npm absent or registry unreachable)")
    (tmp_path / "esbuild").write_bytes(found.read_bytes())
    result = go_binary.CATALOGER.parse(_StreamFS(tmp_path), "esbuild", Environment())
    assert [(p.name, p.version) for p in result.packages] == [
        ("stdlib", "1.20.4"),
        ("golang.org/x/sys", "0.0.0-20220715151400-c0bba94af5f8"),
    ]
