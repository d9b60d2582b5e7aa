from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalog.languages.dirfs import FIXTURES, reasons, scan, triples
from vigil.catalog.languages import (
    pipfile_lock,
    poetry_lock,
    python_installed,
    python_requirements,
    uv_lock,
)
from vigil.catalog.languages.python_requirements import logical_lines, pin
from vigil.domain import Ecosystem, Location

PY = FIXTURES / "python"


def test_installed_dist_info_and_egg_info_from_real_site_packages() -> None:
    result = scan(python_installed.CATALOGER, PY / "site", layer="sha256:abc")
    assert triples(result.packages) == [
        ("PyYAML", "6.0", "pkg:pypi/pyyaml@6.0"),
        ("lazr.uri", "1.0.6", "pkg:pypi/lazr.uri@1.0.6"),
        ("packageurl-python", "0.17.6", "pkg:pypi/packageurl-python@0.17.6"),
        ("rpm", "4.18.0", "pkg:pypi/rpm@4.18.0"),
        ("six", "1.16.0", "pkg:pypi/six@1.16.0"),
    ]
    assert result.warnings == []
    six = next(p for p in result.packages if p.name == "six")
    assert six.ecosystem == Ecosystem("PyPI")
    assert six.cataloger == "python-installed"
    assert six.locations == (
        Location("usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO", "sha256:abc"),
    )


def test_metadata_without_version_is_a_warning(tmp_path: Path) -> None:
    meta = tmp_path / "broken-1.0.dist-info" / "METADATA"
    meta.parent.mkdir()
    meta.write_text("Metadata-Version: 2.1\nName: broken\n\nVersion: 1.0 is in the body\n")
    result = scan(python_installed.CATALOGER, tmp_path)
    assert result.packages == []
    assert reasons(result.warnings) == [
        ("broken-1.0.dist-info/METADATA", "core metadata without a Version header")
    ]


def test_latin1_author_does_not_hide_the_package(tmp_path: Path) -> None:
    (tmp_path / "x-1.0.egg-info").write_bytes(b"Name: x\nAuthor: Fran\xe7ois\nVersion: 1.0\n")
    result = scan(python_installed.CATALOGER, tmp_path)
    assert triples(result.packages) == [("x", "1.0", "pkg:pypi/x@1.0")]
    assert result.warnings == []


def test_oversized_metadata_is_a_warning(tmp_path: Path) -> None:
    meta = tmp_path / "big-1.0.dist-info" / "METADATA"
    meta.parent.mkdir()
    meta.write_bytes(b"Name: big\nVersion: 1.0\n\n" + b"x" * (8 * 1024 * 1024))
    result = scan(python_installed.CATALOGER, tmp_path)
    assert result.packages == []
    assert reasons(result.warnings) == [
        ("big-1.0.dist-info/METADATA", "file is larger than the 8388608 byte limit")
    ]


def test_pinned_requirements_compiled_with_hashes() -> None:
    result = scan(python_requirements.CATALOGER, PY / "requirements")
    assert triples(result.packages) == [
        ("certifi", "2026.10.18", "pkg:pypi/certifi@2026.10.18"),
        ("charset-normalizer", "3.5.2", "pkg:pypi/charset-normalizer@3.5.2"),
        ("idna", "3.20", "pkg:pypi/idna@3.20"),
        ("pysocks", "1.7.1", "pkg:pypi/pysocks@1.7.1"),
        ("pyyaml", "6.0.1", "pkg:pypi/pyyaml@6.0.1"),
        ("requests", "2.31.0", "pkg:pypi/requests@2.31.0"),
        ("six", "1.16.0", "pkg:pypi/six@1.16.0"),
        ("urllib3", "2.8.0", "pkg:pypi/urllib3@2.8.0"),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Django==4.2.7", ("Django", "4.2.7")),
        ("requests[socks,security] == 2.31.0", ("requests", "2.31.0")),
        ('PyYAML===6.0.1 ; python_version >= "3.8"', ("PyYAML", "6.0.1")),
        ("zope.interface==6.1 --hash=sha256:0f1e", ("zope.interface", "6.1")),
        ("foo_bar==1.0+local", ("foo_bar", "1.0+local")),
        ("flask>=2.0", None),
        ("flask~=2.0", None),
        ("numpy==1.26.*", None),
        ("attrs==23.1.0,>=22", None),
        ("-r other-requirements.txt", None),
        ("-e git+https://example.org/repo.git#egg=pkg", None),
        ("--index-url https://example.org/simple", None),
        ("pkg @ https://example.org/pkg-1.0.tar.gz", None),
        ("unpinned", None),
        ("", None),
    ],
)
def test_requirement_lines(line: str, expected: tuple[str, str] | None) -> None:
    assert pin(line) == expected


def test_logical_lines_join_continuations_and_drop_comments() -> None:
    text = "a==1 \\\n    --hash=sha256:00 \\\n    --hash=sha256:11\n# note\nb==2  # pinned for x\n"
    assert list(logical_lines(text)) == [
        "a==1      --hash=sha256:00      --hash=sha256:11",
        "",
        "b==2",
    ]
    assert pin(next(iter(logical_lines(text)))) == ("a", "1")


def test_requirements_glob_takes_variants_only() -> None:
    from vigil.catalog import matches

    globs = python_requirements.CATALOGER.globs
    assert any(matches(g, "app/requirements-dev.txt") for g in globs)
    assert any(matches(g, "requirements.txt") for g in globs)
    assert not any(matches(g, "app/constraints.txt") for g in globs)


PYPI_LOCKED = [
    ("certifi", "2026.10.18", "pkg:pypi/certifi@2026.10.18"),
    ("charset-normalizer", "3.5.2", "pkg:pypi/charset-normalizer@3.5.2"),
    ("idna", "3.20", "pkg:pypi/idna@3.20"),
    ("iniconfig", "2.0.0", "pkg:pypi/iniconfig@2.0.0"),
    ("pyyaml", "6.0.1", "pkg:pypi/pyyaml@6.0.1"),
    ("requests", "2.31.0", "pkg:pypi/requests@2.31.0"),
    ("six", "1.16.0", "pkg:pypi/six@1.16.0"),
    ("urllib3", "2.8.0", "pkg:pypi/urllib3@2.8.0"),
]


def test_poetry_lock_lists_main_and_dev_packages() -> None:
    result = scan(poetry_lock.CATALOGER, PY / "poetry")
    assert triples(result.packages) == PYPI_LOCKED
    assert result.warnings == []


def test_uv_lock_skips_the_virtual_project() -> None:
    result = scan(uv_lock.CATALOGER, PY / "uv")
    assert triples(result.packages) == PYPI_LOCKED
    assert result.warnings == []


def test_pipfile_lock_reads_default_and_develop() -> None:
    result = scan(pipfile_lock.CATALOGER, PY / "pipenv")
    assert triples(result.packages) == PYPI_LOCKED
    assert result.warnings == []


def test_poetry_lock_skips_git_and_directory_sources(tmp_path: Path) -> None:
    (tmp_path / "poetry.lock").write_text(
        '[[package]]\nname = "a"\nversion = "1.0"\n\n'
        '[[package]]\nname = "b"\nversion = "2.0"\n[package.source]\ntype = "git"\n'
        'url = "https://example.org/b.git"\n\n'
        '[[package]]\nname = "c"\nversion = "3.0"\n[package.source]\ntype = "directory"\n'
        'url = "../c"\n\n[[package]]\nname = "nover"\n'
    )
    result = scan(poetry_lock.CATALOGER, tmp_path)
    assert triples(result.packages) == [("a", "1.0", "pkg:pypi/a@1.0")]
    assert reasons(result.warnings) == [("poetry.lock", "package #4 has no name or version")]


@pytest.mark.parametrize(
    ("filename", "content", "reason"),
    [
        ("poetry.lock", '[[package]]\nname = "a\n', "invalid TOML: "),
        ("uv.lock", "package = 3\n", "'package' is not a list"),
        ("Pipfile.lock", '{"default": {"a": {"version": "==1"}', "invalid JSON at line 1"),
        ("Pipfile.lock", '{"default": ["a"]}', "'default' is not an object"),
    ],
)
def test_malformed_python_locks_are_warnings(
    tmp_path: Path, filename: str, content: str, reason: str
) -> None:
    (tmp_path / filename).write_text(content)
    catalogers = {
        "poetry.lock": poetry_lock.CATALOGER,
        "uv.lock": uv_lock.CATALOGER,
        "Pipfile.lock": pipfile_lock.CATALOGER,
    }
    result = scan(catalogers[filename], tmp_path)
    assert result.packages == []
    [warning] = result.warnings
    assert warning.path == filename
    assert warning.reason.startswith(reason)
    assert warning.cataloger == catalogers[filename].name
