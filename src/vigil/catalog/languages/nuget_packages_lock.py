"""NuGet lock files (``packages.lock.json``): resolved packages of every target framework.

Entries of type ``Project`` are projects of the same solution and are skipped.
"""

from __future__ import annotations

from vigil.catalog.languages import _coords
from vigil.catalog.languages._data import as_mapping, load_json, mapping_field, text_field
from vigil.catalog.languages._support import Collector, FileCataloger


def _parse(text: str, out: Collector) -> None:
    document = as_mapping(load_json(text), "the document")
    for framework, item in mapping_field(document, "dependencies").items():
        for name, value in as_mapping(item, f"dependencies[{framework!r}]").items():
            entry = as_mapping(value, f"{framework}/{name}")
            resolved = text_field(entry, "resolved")
            if text_field(entry, "type") != "Project" and resolved is not None:
                out.add(_coords.nuget, name, resolved)


CATALOGER = FileCataloger(
    name="nuget-packages-lock", globs=("**/packages.lock.json",), parse_content=_parse
)
