"""Cargo lock files (``Cargo.lock``), format versions 1 to 4.

Every version lists ``[[package]]`` tables with ``name``, ``version`` and, for anything not in
the workspace, a ``source``. Only crates.io sources (``registry+`` or ``sparse+`` of its index)
are reported: workspace members, git checkouts and other registries are not crates.io releases.
"""

from __future__ import annotations

from vigil.catalog.languages import _coords
from vigil.catalog.languages._data import as_list, as_mapping, load_toml, text_field
from vigil.catalog.languages._support import Collector, FileCataloger

CRATES_IO_SOURCES = frozenset(
    {
        "registry+https://github.com/rust-lang/crates.io-index",
        "sparse+https://index.crates.io/",
    }
)


def _parse(text: str, out: Collector) -> None:
    document = load_toml(text)
    for i, item in enumerate(as_list(document.get("package", []), "'package'")):
        entry = as_mapping(item, f"package #{i + 1}")
        name, version = text_field(entry, "name"), text_field(entry, "version")
        if name is None or version is None:
            out.warn(f"package #{i + 1} has no name or version")
        elif text_field(entry, "source") in CRATES_IO_SOURCES:
            out.add(_coords.cargo, name, version)


CATALOGER = FileCataloger(name="cargo-lock", globs=("**/Cargo.lock",), parse_content=_parse)
