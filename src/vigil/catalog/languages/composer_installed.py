"""Packages Composer installed: ``vendor/composer/installed.json``.

Composer 1 wrote a bare list of packages; Composer 2 writes ``{"packages": [...], "dev": ...}``.
"""

from __future__ import annotations

from vigil.catalog.languages._data import as_list, as_mapping, load_json
from vigil.catalog.languages._support import Collector, FileCataloger
from vigil.catalog.languages.composer_lock import add_packages


def _parse(text: str, out: Collector) -> None:
    document = load_json(text)
    if isinstance(document, list):
        add_packages(document, "package", out)
    else:
        packages = as_mapping(document, "the document").get("packages")
        add_packages(as_list(packages, "'packages'"), "package", out)


CATALOGER = FileCataloger(
    name="composer-installed",
    globs=("**/vendor/composer/installed.json",),
    parse_content=_parse,
)
