"""Installed Python distributions: ``*.dist-info/METADATA`` and ``*.egg-info/PKG-INFO``.

Both are core metadata (RFC 822 style headers, then an optional body); only ``Name`` and
``Version`` are read, from the header block. An ``.egg-info`` may also be a single file with the
same content, as distutils used to install it. Old metadata is not always UTF-8, so stray bytes
are tolerated: they never occur in the two fields read.
"""

from __future__ import annotations

from vigil.catalog.languages import _coords
from vigil.catalog.languages._support import Collector, FileCataloger, Malformed, MiB


def headers(text: str) -> dict[str, str]:
    """The header block of a core-metadata file, first value of each (lower-cased) field."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break
        if line[0] in " \t":
            continue  # continuation of a multi-line field; Name and Version never have one
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip().lower(), value.strip())
    return fields


def _parse(text: str, out: Collector) -> None:
    fields = headers(text)
    name, version = fields.get("name"), fields.get("version")
    if not name or not version:
        missing = " and ".join(f for f, v in (("Name", name), ("Version", version)) if not v)
        raise Malformed(f"core metadata without a {missing} header")
    out.add(_coords.pypi, name, version)


CATALOGER = FileCataloger(
    name="python-installed",
    globs=("**/*.dist-info/METADATA", "**/*.egg-info/PKG-INFO", "**/*.egg-info"),
    parse_content=_parse,
    limit=8 * MiB,
    lenient_text=True,
)
