from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalog.languages.dirfs import FIXTURES, reasons, scan, triples
from vigil.catalog import Cataloger
from vigil.catalog.languages import npm_installed, npm_package_lock, pnpm_lock, yarn_lock
from vigil.catalog.languages.pnpm_lock import parse_key
from vigil.catalog.languages.yarn_lock import descriptor_name
from vigil.domain import Ecosystem

NPM = FIXTURES / "npm"

# What `npm install` resolved for fixtures/npm/*/package.json (see fixtures/README.md).
RESOLVED = [
    ("@isaacs/string-locale-compare", "1.1.0", "pkg:npm/%40isaacs/string-locale-compare@1.1.0"),
    ("debug", "4.3.4", "pkg:npm/debug@4.3.4"),
    ("is-number", "7.0.0", "pkg:npm/is-number@7.0.0"),
    ("ms", "2.0.0", "pkg:npm/ms@2.0.0"),
    ("ms", "2.1.2", "pkg:npm/ms@2.1.2"),
]


def test_installed_node_modules_skip_the_root_project() -> None:
    result = scan(npm_installed.CATALOGER, NPM / "installed")
    assert triples(result.packages) == RESOLVED
    assert result.warnings == []
    nested = next(p for p in result.packages if p.version == "2.1.2")
    assert nested.locations[0].path == "node_modules/debug/node_modules/ms/package.json"
    assert nested.ecosystem == Ecosystem("npm")


@pytest.mark.parametrize(
    ("fixture", "cataloger"),
    [
        ("lock-v1", npm_package_lock.CATALOGER),
        ("lock-v2", npm_package_lock.CATALOGER),
        ("lock-v3", npm_package_lock.CATALOGER),
        ("yarn-v1", yarn_lock.CATALOGER),
        ("yarn-berry", yarn_lock.CATALOGER),
        ("pnpm-v5", pnpm_lock.CATALOGER),
        ("pnpm-v6", pnpm_lock.CATALOGER),
        ("pnpm-v9", pnpm_lock.CATALOGER),
    ],
)
def test_real_lock_files_list_every_resolved_package(fixture: str, cataloger: Cataloger) -> None:
    result = scan(cataloger, NPM / fixture)
    assert triples(result.packages) == RESOLVED
    assert result.warnings == []


def test_installed_package_without_version_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "node_modules" / "linked").mkdir(parents=True)
    (tmp_path / "node_modules" / "linked" / "package.json").write_text('{"name": "linked"}')
    (tmp_path / "node_modules" / "x" / "lib").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "lib" / "package.json").write_text('{"type": "module"}')
    result = scan(npm_installed.CATALOGER, tmp_path)
    assert result.packages == []
    assert result.warnings == []


def test_package_lock_v3_aliases_links_and_git(tmp_path: Path) -> None:
    (tmp_path / "package-lock.json").write_text(
        """{"lockfileVersion": 3, "packages": {
        "": {"name": "root", "version": "1.0.0"},
        "packages/ws": {"name": "ws-member", "version": "0.1.0"},
        "node_modules/ws-member": {"resolved": "packages/ws", "link": true},
        "node_modules/old-lodash": {"name": "lodash", "version": "4.17.20",
            "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.20.tgz"},
        "node_modules/from-git": {"version": "2.0.0",
            "resolved": "git+ssh://git@github.com/a/b.git#0123abc"},
        "node_modules/@s/a/node_modules/@t/b": {"version": "3.1.4"}
        }}"""
    )
    result = scan(npm_package_lock.CATALOGER, tmp_path)
    assert triples(result.packages) == [
        ("@t/b", "3.1.4", "pkg:npm/%40t/b@3.1.4"),
        ("lodash", "4.17.20", "pkg:npm/lodash@4.17.20"),
    ]


def test_package_lock_v1_aliases_and_non_registry_versions(tmp_path: Path) -> None:
    (tmp_path / "npm-shrinkwrap.json").write_text(
        """{"lockfileVersion": 1, "dependencies": {
        "old": {"version": "npm:lodash@4.17.20"},
        "local": {"version": "file:../local"},
        "gitdep": {"version": "github:a/b#0123abc"},
        "a": {"version": "1.0.0", "dependencies": {"b": {"version": "2.0.0"}}}
        }}"""
    )
    result = scan(npm_package_lock.CATALOGER, tmp_path)
    assert triples(result.packages) == [
        ("a", "1.0.0", "pkg:npm/a@1.0.0"),
        ("b", "2.0.0", "pkg:npm/b@2.0.0"),
        ("lodash", "4.17.20", "pkg:npm/lodash@4.17.20"),
    ]


@pytest.mark.parametrize(
    ("descriptor", "name"),
    [
        ("debug@4.3.4", "debug"),
        ('"@babel/core@^7.0.0"', "@babel/core"),
        ("string-width-cjs@npm:string-width@^4.2.0", "string-width"),
        ('"@x/alias@npm:@y/real@1"', "@y/real"),
        ("mine@file:../mine", None),
        ("x@link:../x", None),
        ("y@git+https://example.org/y.git", None),
        ("z@user/z#main", None),
        ("", None),
    ],
)
def test_yarn_v1_descriptors(descriptor: str, name: str | None) -> None:
    assert descriptor_name(descriptor) == name


def test_yarn_v1_multiple_descriptors_and_non_registry(tmp_path: Path) -> None:
    (tmp_path / "yarn.lock").write_text(
        '# yarn lockfile v1\n\n\n"ms@^2.1.1", ms@2.1.2:\n  version "2.1.2"\n'
        '  resolved "https://registry.yarnpkg.com/ms/-/ms-2.1.2.tgz"\n\n'
        '"mine@file:../mine":\n  version "0.0.0"\n\n'
        'thing@git+https://example.org/thing.git:\n  version "1.0.0"\n'
    )
    result = scan(yarn_lock.CATALOGER, tmp_path)
    assert triples(result.packages) == [("ms", "2.1.2", "pkg:npm/ms@2.1.2")]
    assert result.warnings == []


def test_yarn_berry_skips_workspaces_and_patches(tmp_path: Path) -> None:
    (tmp_path / "yarn.lock").write_text(
        "__metadata:\n  version: 6\n\n"
        '"resolve@patch:resolve@^1.1#~builtin<compat/resolve>":\n  version: 1.22.1\n'
        '  resolution: "resolve@patch:resolve@npm%3A1.22.1#~builtin<compat/resolve>::v=1"\n\n'
        '"resolve@npm:^1.1":\n  version: 1.22.1\n  resolution: "resolve@npm:1.22.1"\n\n'
        '"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n\n'
        '"broken@npm:1":\n  languageName: node\n'
    )
    result = scan(yarn_lock.CATALOGER, tmp_path)
    assert triples(result.packages) == [("resolve", "1.22.1", "pkg:npm/resolve@1.22.1")]
    assert reasons(result.warnings) == [
        ("yarn.lock", "entry 'broken@npm:1' has no resolution or version")
    ]


@pytest.mark.parametrize(
    ("key", "lockfile", "expected"),
    [
        ("/debug/4.3.4", "5.4", ("debug", "4.3.4")),
        ("/@babel/core/7.22.0_supports-color@5.5.0", "5.4", ("@babel/core", "7.22.0")),
        ("/@types/react-dom/18.0.0_@types+react@18.0.0", "5.3", ("@types/react-dom", "18.0.0")),
        ("github.com/a/b/0123abc", "5.4", None),
        ("/debug@4.3.4", "6.0", ("debug", "4.3.4")),
        ("/@x/y@1.0.0(react@18.2.0)(react-dom@18.2.0)", "6.0", ("@x/y", "1.0.0")),
        ("@x/y@1.0.0", "9.0", ("@x/y", "1.0.0")),
        ("pkg@https://codeload.github.com/a/b/tar.gz/0123", "9.0", None),
        ("nosep", "9.0", None),
    ],
)
def test_pnpm_keys(key: str, lockfile: str, expected: tuple[str, str] | None) -> None:
    assert parse_key(key, lockfile) == expected


def test_pnpm_explicit_name_and_git_resolution(tmp_path: Path) -> None:
    (tmp_path / "pnpm-lock.yaml").write_text(
        "lockfileVersion: '6.0'\npackages:\n"
        "  registry.example/tar/-/tar-6.1.0.tgz:\n"
        "    resolution: {tarball: https://registry.example/tar/-/tar-6.1.0.tgz}\n"
        "    name: tar\n    version: 6.1.0\n"
        "  github.com/a/b/0123:\n"
        "    resolution: {tarball: https://codeload.github.com/a/b/tar.gz/0123, type: git}\n"
        "    name: b\n    version: 1.0.0\n"
    )
    result = scan(pnpm_lock.CATALOGER, tmp_path)
    assert triples(result.packages) == [("tar", "6.1.0", "pkg:npm/tar@6.1.0")]


@pytest.mark.parametrize(
    ("filename", "content", "reason"),
    [
        ("package-lock.json", '{"lockfileVersion": 3, "packages": {"node_mod', "invalid JSON"),
        ("package-lock.json", "[1, 2]", "the document is not an object"),
        ("package-lock.json", '{"name": "x"}', "not an npm lock file"),
        ("yarn.lock", "# yarn lockfile v1\n\nfoo@1\n  version 1\n", "line 3: expected an entry"),
        ("yarn.lock", "__metadata:\n  version: 6\n  bad: [\n", "invalid YAML at line"),
        ("pnpm-lock.yaml", "lockfileVersion: '9.0'\npackages: [1]\n", "'packages' is not an"),
        ("pnpm-lock.yaml", "- a\n- b\n", "the document is not an object"),
    ],
)
def test_malformed_npm_locks_are_warnings(
    tmp_path: Path, filename: str, content: str, reason: str
) -> None:
    (tmp_path / filename).write_text(content)
    cataloger = {
        "package-lock.json": npm_package_lock.CATALOGER,
        "yarn.lock": yarn_lock.CATALOGER,
        "pnpm-lock.yaml": pnpm_lock.CATALOGER,
    }[filename]
    result = scan(cataloger, tmp_path)
    assert result.packages == []
    [warning] = result.warnings
    assert (warning.path, warning.cataloger) == (filename, cataloger.name)
    assert warning.reason.startswith(reason), warning.reason


def test_malformed_installed_package_json_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "package.json").write_text('{"name": "x", "version"')
    result = scan(npm_installed.CATALOGER, tmp_path)
    assert reasons(result.warnings) == [
        (
            "node_modules/x/package.json",
            "invalid JSON at line 1 column 24: Expecting ':' delimiter",
        )
    ]
