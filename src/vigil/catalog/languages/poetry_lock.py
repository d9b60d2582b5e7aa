"""Poetry lock files (``poetry.lock``): every ``[[package]]`` resolved from a package index.

Packages Poetry took from a git repository, a local directory or file, or a URL are skipped:
their ``version`` is whatever their own metadata claims, not a release of the index.
"""

from __future__ import annotations

from vigil.catalog.languages import _coords
from vigil.catalog.languages._data import as_list, as_mapping, load_toml, mapping_field, text_field
from vigil.catalog.languages._support import Collector, FileCataloger

# Source types that still mean "a release from a package index" (a private index is "legacy").
_INDEX_SOURCES = frozenset({"", "legacy", "pypi", "supplemental", "primary"})


def _parse(text: str, out: Collector) -> None:
    document = load_toml(text)
    for i, item in enumerate(as_list(document.get("package", []), "'package'")):
        entry = as_mapping(item, f"package #{i + 1}")
        name, version = text_field(entry, "name"), text_field(entry, "version")
        if name is None or version is None:
            out.warn(f"package #{i + 1} has no name or version")
            continue
        source_type = text_field(mapping_field(entry, "source"), "type") or ""
        if source_type in _INDEX_SOURCES:
            out.add(_coords.pypi, name, version)


CATALOGER = FileCataloger(name="poetry-lock", globs=("**/poetry.lock",), parse_content=_parse)
