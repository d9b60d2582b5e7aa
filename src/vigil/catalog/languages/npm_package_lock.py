"""npm lock files: ``package-lock.json`` and ``npm-shrinkwrap.json``, lockfile versions 1 to 3.

Versions 2 and 3 list every installed path in ``packages``; the package name is the part after
the last ``node_modules/`` of the path (scopes included) unless the entry names itself (an
alias). Version 1 nests ``dependencies`` objects instead. Links, workspace members and
dependencies from git, a tarball or a directory have no registry version and are skipped.
"""

from __future__ import annotations

from collections.abc import Mapping

from vigil.catalog.languages import _coords
from vigil.catalog.languages._data import as_mapping, load_json, mapping_field, text_field
from vigil.catalog.languages._support import Collector, FileCataloger, Malformed

_MAX_DEPTH = 64
_MARKER = "node_modules/"


def registry_version(version: str) -> str | None:
    """The version if it names a registry release; None for URLs, paths and git specs."""
    if ":" in version or "/" in version or "#" in version:
        return None
    return version


def _alias(name: str, version: str) -> tuple[str, str]:
    # Version 1 records an alias as "npm:<real name>@<version>".
    if version.startswith("npm:"):
        real, _, real_version = version[4:].rpartition("@")
        if real:
            return real, real_version
    return name, version


def _add(out: Collector, name: str, version: str | None) -> None:
    if version is None:
        return
    name, version = _alias(name, version)
    found = registry_version(version)
    if found is not None:
        out.add(_coords.npm, name, found)


def _packages_map(packages: Mapping[str, object], out: Collector) -> None:
    for path, item in packages.items():
        entry = as_mapping(item, f"packages[{path!r}]")
        if _MARKER not in path or entry.get("link") is True:
            continue  # the root project or a workspace member, or a link to one
        resolved = text_field(entry, "resolved")
        if resolved is not None and not resolved.startswith(("https:", "http:")):
            continue  # git, file: or directory sources carry their own manifest's version
        name = text_field(entry, "name") or path.rpartition(_MARKER)[2]
        _add(out, name, text_field(entry, "version"))


def _dependency_tree(dependencies: Mapping[str, object], out: Collector, depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise Malformed(f"dependencies nested deeper than {_MAX_DEPTH} levels")
    for name, item in dependencies.items():
        entry = as_mapping(item, f"dependencies[{name!r}]")
        _add(out, name, text_field(entry, "version"))
        _dependency_tree(mapping_field(entry, "dependencies"), out, depth + 1)


def _parse(text: str, out: Collector) -> None:
    document = as_mapping(load_json(text), "the document")
    if "packages" in document:
        _packages_map(mapping_field(document, "packages"), out)
    elif "dependencies" in document:
        _dependency_tree(mapping_field(document, "dependencies"), out, 0)
    elif "lockfileVersion" not in document:
        raise Malformed("not an npm lock file: no lockfileVersion, packages or dependencies")


CATALOGER = FileCataloger(
    name="npm-package-lock",
    globs=("**/package-lock.json", "**/npm-shrinkwrap.json"),
    parse_content=_parse,
)
