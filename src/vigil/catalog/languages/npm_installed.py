"""Installed npm packages: the ``package.json`` of each directory inside ``node_modules``.

Only a ``package.json`` directly inside a package directory of ``node_modules`` counts (the
project's own manifest and files deeper inside a package are not packages); one without a name
or a version is a workspace link or a fragment, and is skipped.
"""

from __future__ import annotations

from vigil.catalog.languages import _coords
from vigil.catalog.languages._data import as_mapping, load_json, text_field
from vigil.catalog.languages._support import Collector, FileCataloger, MiB


def _parse(text: str, out: Collector) -> None:
    manifest = as_mapping(load_json(text), "package.json")
    name, version = text_field(manifest, "name"), text_field(manifest, "version")
    if name is not None and version is not None:
        out.add(_coords.npm, name, version)


CATALOGER = FileCataloger(
    name="npm-installed",
    globs=("**/node_modules/*/package.json", "**/node_modules/@*/*/package.json"),
    parse_content=_parse,
    limit=4 * MiB,
)
