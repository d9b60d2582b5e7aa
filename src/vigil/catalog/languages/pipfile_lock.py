"""Pipenv lock files (``Pipfile.lock``): the ``default`` and ``develop`` sections.

Only ``==`` pins are versions; entries from git, a path or a file carry none and are skipped.
"""

from __future__ import annotations

from vigil.catalog.languages import _coords
from vigil.catalog.languages._data import as_mapping, load_json, mapping_field, text_field
from vigil.catalog.languages._support import Collector, FileCataloger


def _parse(text: str, out: Collector) -> None:
    document = as_mapping(load_json(text), "the document")
    for section in ("default", "develop"):
        for name, item in mapping_field(document, section).items():
            version = text_field(as_mapping(item, f"{section}.{name}"), "version")
            if version is not None and version.startswith("=="):
                out.add(_coords.pypi, name, version.lstrip("="))


CATALOGER = FileCataloger(name="pipfile-lock", globs=("**/Pipfile.lock",), parse_content=_parse)
