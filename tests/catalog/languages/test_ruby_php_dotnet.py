from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalog.languages.dirfs import FIXTURES, reasons, scan, triples
from vigil.catalog import Cataloger
from vigil.catalog.languages import (
    composer_installed,
    composer_lock,
    dotnet_deps,
    gemfile_lock,
    nuget_packages_lock,
    ruby_gemspec,
)
from vigil.domain import Ecosystem


def test_gemfile_lock_written_by_bundler() -> None:
    result = scan(gemfile_lock.CATALOGER, FIXTURES / "ruby" / "bundler")
    assert triples(result.packages) == [
        ("rack", "2.2.22", "pkg:gem/rack@2.2.22"),
        ("rack-test", "2.0.2", "pkg:gem/rack-test@2.0.2"),
    ]
    assert result.packages[0].ecosystem == Ecosystem("RubyGems")
    assert result.warnings == []


def test_gemfile_lock_platforms_and_non_rubygems_sections(tmp_path: Path) -> None:
    (tmp_path / "Gemfile.lock").write_text(
        "GIT\n  remote: https://example.org/forked.git\n  revision: 0123abc\n  specs:\n"
        "    forked (1.0.0)\n\n"
        "PATH\n  remote: .\n  specs:\n    myapp (0.1.0)\n\n"
        "GEM\n  remote: https://rubygems.org/\n  specs:\n"
        "    nokogiri (1.15.4)\n      racc (~> 1.4)\n"
        "    nokogiri (1.15.4-x86_64-linux)\n      racc (~> 1.4)\n"
        "    nokogiri (1.15.4-arm64-darwin)\n"
        "    racc (1.7.1)\n\n"
        "PLATFORMS\n  ruby\n  x86_64-linux\n\nDEPENDENCIES\n  nokogiri\n  forked!\n"
    )
    result = scan(gemfile_lock.CATALOGER, tmp_path)
    assert triples(result.packages) == [
        ("nokogiri", "1.15.4", "pkg:gem/nokogiri@1.15.4"),
        ("racc", "1.7.1", "pkg:gem/racc@1.7.1"),
    ]


def test_file_that_is_not_a_gemfile_lock_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / "Gemfile.lock").write_text("{}\n")
    result = scan(gemfile_lock.CATALOGER, tmp_path)
    assert reasons(result.warnings) == [("Gemfile.lock", "no sections: not a Gemfile.lock")]


def test_installed_gemspecs_from_debian_packages() -> None:
    result = scan(ruby_gemspec.CATALOGER, FIXTURES / "ruby" / "installed")
    assert triples(result.packages) == [
        ("cgi", "0.3.5", "pkg:gem/cgi@0.3.5"),
        ("net-imap", "0.2.3", "pkg:gem/net-imap@0.2.3"),
        ("rack", "2.2.22", "pkg:gem/rack@2.2.22"),
        ("rack-test", "2.0.2", "pkg:gem/rack-test@2.0.2"),
    ]
    assert result.warnings == []


def test_gemspec_is_never_evaluated_and_needs_literals(tmp_path: Path) -> None:
    specs = tmp_path / "specifications"
    specs.mkdir()
    (specs / "stub-1.0.gemspec").write_text("# stub: stubbed 1.0 ruby lib\n")
    (specs / "dynamic.gemspec").write_text(
        "Gem::Specification.new do |s|\n  s.name = File.read('NAME')\n"
        "  s.version = `git describe`\nend\n"
    )
    (specs / "versioned.gemspec").write_text(
        "Gem::Specification.new do |spec|\n  spec.name = 'v'\n"
        "  spec.version = Gem::Version.new('3.2.1')\nend\n"
    )
    result = scan(ruby_gemspec.CATALOGER, tmp_path)
    assert triples(result.packages) == [
        ("stubbed", "1.0", "pkg:gem/stubbed@1.0"),
        ("v", "3.2.1", "pkg:gem/v@3.2.1"),
    ]
    assert reasons(result.warnings) == [
        ("specifications/dynamic.gemspec", "gemspec without a literal name and version")
    ]


COMPOSER = [
    ("composer/ca-bundle", "1.1.3", "pkg:composer/composer/ca-bundle@1.1.3"),
    ("composer/semver", "1.4.2", "pkg:composer/composer/semver@1.4.2"),
    ("composer/spdx-licenses", "1.5.0", "pkg:composer/composer/spdx-licenses@1.5.0"),
    ("composer/xdebug-handler", "1.3.1", "pkg:composer/composer/xdebug-handler@1.3.1"),
    ("justinrainbow/json-schema", "5.2.7", "pkg:composer/justinrainbow/json-schema@5.2.7"),
    ("psr/log", "1.1.0", "pkg:composer/psr/log@1.1.0"),
    ("seld/jsonlint", "1.7.1", "pkg:composer/seld/jsonlint@1.7.1"),
    ("seld/phar-utils", "1.0.1", "pkg:composer/seld/phar-utils@1.0.1"),
    ("symfony/console", "2.8.48", "pkg:composer/symfony/console@v2.8.48"),
]


def test_composer_lock_of_composer_itself() -> None:
    result = scan(composer_lock.CATALOGER, FIXTURES / "php" / "composer")
    assert triples(result.packages) == COMPOSER
    assert result.packages[0].ecosystem == Ecosystem("Packagist")
    assert result.warnings == []


def test_composer_lock_dev_packages_and_branches(tmp_path: Path) -> None:
    (tmp_path / "composer.lock").write_text(
        '{"packages": [{"name": "a/b", "version": "dev-main"}, {"name": "c/d", "version": '
        '"2.x-dev"}], "packages-dev": [{"name": "phpunit/phpunit", "version": "9.6.13"},'
        ' {"version": "1.0"}]}'
    )
    result = scan(composer_lock.CATALOGER, tmp_path)
    assert triples(result.packages) == [
        ("phpunit/phpunit", "9.6.13", "pkg:composer/phpunit/phpunit@9.6.13")
    ]
    assert reasons(result.warnings) == [("composer.lock", "packages-dev #2 has no name or version")]


@pytest.mark.parametrize(
    "content",
    [
        # Composer 1: a bare list.
        '[{"name": "psr/log", "version": "1.1.0"}, {"name": "symfony/console", '
        '"version": "v2.8.48"}]',
        # Composer 2: an object with "packages".
        '{"packages": [{"name": "psr/log", "version": "1.1.0"}, {"name": "symfony/console", '
        '"version": "v2.8.48"}], "dev": true, "dev-package-names": []}',
    ],
)
def test_composer_installed_json_both_versions(tmp_path: Path, content: str) -> None:
    installed = tmp_path / "vendor" / "composer" / "installed.json"
    installed.parent.mkdir(parents=True)
    installed.write_text(content)
    result = scan(composer_installed.CATALOGER, tmp_path)
    assert triples(result.packages) == [
        ("psr/log", "1.1.0", "pkg:composer/psr/log@1.1.0"),
        ("symfony/console", "2.8.48", "pkg:composer/symfony/console@v2.8.48"),
    ]


def test_deps_json_of_pythonnet() -> None:
    result = scan(dotnet_deps.CATALOGER, FIXTURES / "dotnet" / "pythonnet")
    names = triples(result.packages)
    assert len(names) == 18  # 19 libraries, one of which is the project itself
    assert names[:3] == [
        (
            "Lost.Compat.NullabilityAttributes",
            "0.0.4",
            "pkg:nuget/Lost.Compat.NullabilityAttributes@0.0.4",
        ),
        ("Microsoft.Build.Tasks.Git", "1.1.1", "pkg:nuget/Microsoft.Build.Tasks.Git@1.1.1"),
        ("Microsoft.CSharp", "4.7.0", "pkg:nuget/Microsoft.CSharp@4.7.0"),
    ]
    assert ("System.Runtime", "4.3.0", "pkg:nuget/System.Runtime@4.3.0") in names
    assert not any(name == "Python.Runtime" for name, _, _ in names)
    assert result.packages[0].ecosystem == Ecosystem("NuGet")


def test_packages_lock_json() -> None:
    result = scan(nuget_packages_lock.CATALOGER, FIXTURES / "dotnet" / "githubactionpinner")
    assert triples(result.packages) == [
        (
            "McMaster.Extensions.CommandLineUtils",
            "5.0.1",
            "pkg:nuget/McMaster.Extensions.CommandLineUtils@5.0.1",
        ),
        ("Octokit", "14.0.0", "pkg:nuget/Octokit@14.0.0"),
        ("Unfucked", "0.0.1-beta.34", "pkg:nuget/Unfucked@0.0.1-beta.34"),
        ("Unfucked.Caching", "0.0.1-beta.3", "pkg:nuget/Unfucked.Caching@0.0.1-beta.3"),
        ("fasterflect", "3.0.0", "pkg:nuget/fasterflect@3.0.0"),
    ]


def test_packages_lock_json_skips_projects_and_merges_frameworks(tmp_path: Path) -> None:
    (tmp_path / "packages.lock.json").write_text(
        '{"version": 2, "dependencies": {'
        '"net6.0": {"Newtonsoft.Json": {"type": "Transitive", "resolved": "13.0.1"},'
        ' "My.Lib": {"type": "Project"}},'
        '"net8.0": {"Newtonsoft.Json": {"type": "CentralTransitive", "resolved": "13.0.1"},'
        ' "Serilog": {"type": "Direct", "requested": "[3.0.0, )", "resolved": "3.0.1"}}}}'
    )
    result = scan(nuget_packages_lock.CATALOGER, tmp_path)
    assert triples(result.packages) == [
        ("Newtonsoft.Json", "13.0.1", "pkg:nuget/Newtonsoft.Json@13.0.1"),
        ("Serilog", "3.0.1", "pkg:nuget/Serilog@3.0.1"),
    ]


@pytest.mark.parametrize(
    ("cataloger", "path", "content", "reason"),
    [
        (composer_lock.CATALOGER, "composer.lock", '{"packages": {}}', "'packages' is not a"),
        (composer_lock.CATALOGER, "composer.lock", '{"packages": [', "invalid JSON at line 1"),
        (
            composer_installed.CATALOGER,
            "vendor/composer/installed.json",
            '{"dev": true}',
            "'packages' is not a list",
        ),
        (dotnet_deps.CATALOGER, "app.deps.json", '{"libraries": []}', "'libraries' is not an"),
        (
            dotnet_deps.CATALOGER,
            "app.deps.json",
            '{"libraries": {"NoVersion": {"type": "package"}}}',
            "library 'NoVersion' is not Name/Version",
        ),
        (nuget_packages_lock.CATALOGER, "packages.lock.json", "\x00", "invalid JSON"),
    ],
)
def test_malformed_files_are_warnings(
    tmp_path: Path, cataloger: Cataloger, path: str, content: str, reason: str
) -> None:
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(content)
    result = scan(cataloger, tmp_path)
    assert result.packages == []
    [warning] = result.warnings
    assert (warning.path, warning.cataloger) == (path, cataloger.name)
    assert warning.reason.startswith(reason), warning.reason
