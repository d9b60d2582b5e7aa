"""How Inspector describes a vulnerable package: its ``PackageManager`` and split OS versions.

The package manager follows the evidence, not only the ecosystem: a PyPI package read from an
installed ``METADATA`` is ``PYTHONPKG``, one from ``poetry.lock`` is ``POETRY``; a Go module in a
compiled binary is ``GOBINARY``, one in ``go.mod`` is ``GOMOD``. The cataloger's name decides
first; packages read from an SBOM fall back on the file name of their location, then on the
ecosystem. Every value is one of botocore's ``PackageManager`` enum.

OS package versions are split as Inspector writes them: ``epoch``, ``version`` (upstream) and
``release`` (the distribution's revision), so ``1:1.2.13.dfsg-1`` is epoch 1, version
``1.2.13.dfsg``, release ``1``.
"""

from __future__ import annotations

from dataclasses import dataclass

from vigil.domain import Package

OS = "OS"

_BY_CATALOGER = {
    "python-installed": "PYTHONPKG",
    "python-requirements": "PIP",
    "poetry-lock": "POETRY",
    "pipfile-lock": "PIPENV",
    "uv-lock": "PIP",
    "npm-installed": "NODEPKG",
    "npm-package-lock": "NPM",
    "yarn-lock": "YARN",
    "pnpm-lock": "NPM",
    "java-archive": "JAR",
    "go-binary": "GOBINARY",
    "go-mod": "GOMOD",
    "cargo-lock": "CARGO",
    "rust-auditable-binary": "CARGO",
    "gemfile-lock": "BUNDLER",
    "ruby-gemspec": "GEMSPEC",
    "composer-lock": "COMPOSER",
    "composer-installed": "COMPOSER",
    "dotnet-deps": "DOTNET_CORE",
    "nuget-packages-lock": "NUGET",
}

_BY_FILE = {
    "METADATA": "PYTHONPKG",
    "PKG-INFO": "PYTHONPKG",
    "poetry.lock": "POETRY",
    "Pipfile.lock": "PIPENV",
    "uv.lock": "PIP",
    "package.json": "NODEPKG",
    "package-lock.json": "NPM",
    "npm-shrinkwrap.json": "NPM",
    "yarn.lock": "YARN",
    "pnpm-lock.yaml": "NPM",
    "pom.xml": "POM",
    "go.mod": "GOMOD",
    "Cargo.lock": "CARGO",
    "Gemfile.lock": "BUNDLER",
    "composer.lock": "COMPOSER",
    "installed.json": "COMPOSER",
    "packages.lock.json": "NUGET",
}

_BY_SUFFIX = {
    ".jar": "JAR",
    ".war": "JAR",
    ".ear": "JAR",
    ".gemspec": "GEMSPEC",
    ".deps.json": "DOTNET_CORE",
    ".txt": "PIP",  # requirements files
}

_BY_ECOSYSTEM = {
    "PyPI": "PYTHONPKG",
    "npm": "NPM",
    "Maven": "JAR",
    "Go": "GOMOD",
    "crates.io": "CARGO",
    "RubyGems": "GEMSPEC",
    "Packagist": "COMPOSER",
    "NuGet": "NUGET",
}


def package_manager(package: Package) -> str | None:
    """Inspector's ``PackageManager`` for ``package``, or None where none of its values fits."""
    if package.ecosystem.is_os:
        return OS
    found = _BY_CATALOGER.get(package.cataloger)
    if found is not None:
        return found
    for location in package.locations:
        file_name = location.path.rstrip("/").rpartition("/")[2]
        found = _BY_FILE.get(file_name)
        if found is None:
            found = next((v for k, v in _BY_SUFFIX.items() if file_name.endswith(k)), None)
        if found is not None:
            return found
    return _BY_ECOSYSTEM.get(package.ecosystem.name)


@dataclass(frozen=True, slots=True)
class SplitVersion:
    version: str
    release: str | None = None
    epoch: int | None = None


def split_version(package: Package) -> SplitVersion:
    """The installed version as Inspector's ``epoch``/``version``/``release`` members."""
    if not package.ecosystem.is_os:
        return SplitVersion(package.version)
    text = package.version
    epoch: int | None = 0
    head, colon, rest = text.partition(":")
    if colon and head.isdigit():
        epoch, text = int(head), rest
    if _purl_type(package.purl) == "apk":
        upstream, dash, release = text.rpartition("-r")
        if dash and upstream and release.isdigit():
            return SplitVersion(upstream, "r" + release, None)
        return SplitVersion(text, None, None)
    upstream, dash, release = text.rpartition("-")
    if dash and upstream and release:
        return SplitVersion(upstream, release, epoch)
    return SplitVersion(text, None, epoch)


def fixed_in_version(package: Package, fixed: str) -> str:
    """A fixed version as Inspector writes it: dpkg and rpm ones carry their epoch (``0:…``)."""
    if not package.ecosystem.is_os or _purl_type(package.purl) == "apk":
        return fixed
    head, colon, _ = fixed.partition(":")
    return fixed if colon and head.isdigit() else f"0:{fixed}"


def remediation(package: Package, fixed: str | None) -> str | None:
    """The command or step that installs the fix, for ``vulnerablePackages[].remediation``."""
    if fixed is None:
        return None
    kind = _purl_type(package.purl) if package.ecosystem.is_os else None
    if kind == "deb":
        return "apt-get update && apt-get upgrade"
    if kind == "rpm":
        return f"yum update {package.name}"
    if kind == "apk":
        return f"apk upgrade {package.name}"
    return f"Upgrade {package.name} to version {fixed} or later"


def _purl_type(purl: str) -> str:
    return purl.removeprefix("pkg:").partition("/")[0].lower()
