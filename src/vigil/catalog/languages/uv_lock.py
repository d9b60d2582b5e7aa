"""uv lock files (``uv.lock``): every ``[[package]]`` whose source is a registry.

The project itself (``virtual``/``editable`` source) and packages from git, a path or a URL are
skipped: their versions are not releases of an index that advisories could name.
"""

from __future__ import annotations

from vigil.catalog.languages import _coords
from vigil.catalog.languages._data import as_list, as_mapping, load_toml, mapping_field, text_field
from vigil.catalog.languages._support import Collector, FileCataloger


def _parse(text: str, out: Collector) -> None:
    document = load_toml(text)
    for i, item in enumerate(as_list(document.get("package", []), "'package'")):
        entry = as_mapping(item, f"package #{i + 1}")
        name, version = text_field(entry, "name"), text_field(entry, "version")
        if name is None:
            out.warn(f"package #{i + 1} has no name")
            continue
        source = mapping_field(entry, "source")
        if "registry" in source and version is not None:
            out.add(_coords.pypi, name, version)


CATALOGER = FileCataloger(name="uv-lock", globs=("**/uv.lock",), parse_content=_parse)
