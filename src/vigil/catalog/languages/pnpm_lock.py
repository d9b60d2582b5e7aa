"""pnpm lock files (``pnpm-lock.yaml``), lockfile versions 5, 6 and 9.

The ``packages`` keys name each resolved package, in a syntax that changed over time:
v5 ``/@scope/name/1.0.0_peer@2.0.0``, v6 ``/@scope/name@1.0.0(peer@2.0.0)``, v9
``@scope/name@1.0.0``. An entry's own ``name``/``version`` fields, written for packages not
from the registry, win over the key; git and directory sources are skipped.
"""

from __future__ import annotations

from vigil.catalog.languages import _coords
from vigil.catalog.languages._data import as_mapping, load_yaml, mapping_field, text_field
from vigil.catalog.languages._support import Collector, FileCataloger
from vigil.catalog.languages.npm_package_lock import registry_version


def parse_key(key: str, lockfile_version: str) -> tuple[str, str] | None:
    """``(name, version)`` of a ``packages`` key; None when it does not name a registry release."""
    key = key.split("(", 1)[0]
    if lockfile_version.startswith("5"):
        parts = key.lstrip("/").split("/")
        width = 2 if parts[0].startswith("@") else 1
        if len(parts) != width + 1:
            return None
        name, version = "/".join(parts[:width]), parts[width].split("_", 1)[0]
    else:
        key = key.lstrip("/")
        name, sep, version = key[1:].rpartition("@")
        if not sep:
            return None
        name = key[0] + name
    found = registry_version(version)
    return (name, found) if name and found else None


def _parse(text: str, out: Collector) -> None:
    document = as_mapping(load_yaml(text), "the document")
    lockfile_version = str(document.get("lockfileVersion", ""))
    for key, item in mapping_field(document, "packages").items():
        entry = as_mapping(item or {}, f"packages[{key!r}]")
        resolution = mapping_field(entry, "resolution")
        if "type" in resolution or "repo" in resolution:
            continue  # git or directory sources carry their own manifest's version
        name, version = text_field(entry, "name"), entry.get("version")
        if name is not None and version is not None:
            found = registry_version(str(version))
            if found is not None:
                out.add(_coords.npm, name, found)
            continue
        parsed = parse_key(str(key), lockfile_version)
        if parsed is not None:
            out.add(_coords.npm, *parsed)


CATALOGER = FileCataloger(name="pnpm-lock", globs=("**/pnpm-lock.yaml",), parse_content=_parse)
