"""Composer lock files (``composer.lock``): ``packages`` and ``packages-dev``.

Branch checkouts (``dev-main``, ``1.x-dev``) are not releases and are skipped; a ``v`` before a
release number is dropped for OSV (the purl keeps Composer's spelling).
"""

from __future__ import annotations

from collections.abc import Mapping

from vigil.catalog.languages import _coords
from vigil.catalog.languages._data import as_list, as_mapping, load_json, text_field
from vigil.catalog.languages._support import Collector, FileCataloger


def is_release(version: str) -> bool:
    return not version.startswith("dev-") and not version.endswith("-dev")


def add_packages(entries: list[object], what: str, out: Collector) -> None:
    """Add each ``{"name", "version"}`` entry of a Composer package list."""
    for i, item in enumerate(entries):
        entry: Mapping[str, object] = as_mapping(item, f"{what} #{i + 1}")
        name, version = text_field(entry, "name"), text_field(entry, "version")
        if name is None or version is None:
            out.warn(f"{what} #{i + 1} has no name or version")
        elif is_release(version):
            out.add(_coords.composer, name, version)


def _parse(text: str, out: Collector) -> None:
    document = as_mapping(load_json(text), "the document")
    for key in ("packages", "packages-dev"):
        value = document.get(key)
        add_packages(as_list([] if value is None else value, f"{key!r}"), key, out)


CATALOGER = FileCataloger(name="composer-lock", globs=("**/composer.lock",), parse_content=_parse)
