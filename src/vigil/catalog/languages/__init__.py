"""Catalogers for language ecosystems: installed packages and lock files (PyPI, npm, Go, ...).

``LANGUAGE_CATALOGERS`` is the explicit list ``vigil.catalog.registry`` combines with the OS
catalogers; each language cataloger lives in its own module of this package, named after the
file format it reads.
"""

from vigil.catalog.cataloger import Cataloger
from vigil.catalog.languages import (
    cargo_lock,
    composer_installed,
    composer_lock,
    dotnet_deps,
    gemfile_lock,
    go_binary,
    go_mod,
    java_archive,
    npm_installed,
    npm_package_lock,
    nuget_packages_lock,
    pipfile_lock,
    pnpm_lock,
    poetry_lock,
    python_installed,
    python_requirements,
    ruby_gemspec,
    rust_auditable,
    uv_lock,
    yarn_lock,
)

LANGUAGE_CATALOGERS: tuple[Cataloger, ...] = (
    python_installed.CATALOGER,
    python_requirements.CATALOGER,
    poetry_lock.CATALOGER,
    pipfile_lock.CATALOGER,
    uv_lock.CATALOGER,
    npm_installed.CATALOGER,
    npm_package_lock.CATALOGER,
    yarn_lock.CATALOGER,
    pnpm_lock.CATALOGER,
    java_archive.CATALOGER,
    go_binary.CATALOGER,
    go_mod.CATALOGER,
    cargo_lock.CATALOGER,
    rust_auditable.CATALOGER,
    gemfile_lock.CATALOGER,
    ruby_gemspec.CATALOGER,
    composer_lock.CATALOGER,
    composer_installed.CATALOGER,
    dotnet_deps.CATALOGER,
    nuget_packages_lock.CATALOGER,
)

__all__ = ["LANGUAGE_CATALOGERS"]
