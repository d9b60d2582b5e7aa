""".NET dependency manifests (``*.deps.json``): ``libraries`` of type ``package``.

Keys are ``Name/Version``; ``project`` and ``reference`` libraries are the application's own
assemblies, not NuGet packages.
"""

from __future__ import annotations

from vigil.catalog.languages import _coords
from vigil.catalog.languages._data import as_mapping, load_json, mapping_field, text_field
from vigil.catalog.languages._support import Collector, FileCataloger


def _parse(text: str, out: Collector) -> None:
    document = as_mapping(load_json(text), "the document")
    for key, item in mapping_field(document, "libraries").items():
        library = as_mapping(item, f"libraries[{key!r}]")
        if text_field(library, "type") != "package":
            continue
        name, sep, version = key.partition("/")
        if not sep:
            out.warn(f"library {key!r} is not Name/Version")
            continue
        out.add(_coords.nuget, name, version)


CATALOGER = FileCataloger(name="dotnet-deps", globs=("**/*.deps.json",), parse_content=_parse)
