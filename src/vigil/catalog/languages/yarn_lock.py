"""Yarn lock files (``yarn.lock``): the classic v1 format and the YAML of Yarn 2+ ("berry").

v1 blocks start with unindented, comma-separated descriptors (``"ms@^2.1.1", ms@2.1.2:``) and
hold an indented ``version``; descriptors naming git, a URL or a path are skipped. Berry is
YAML whose entries carry a ``resolution`` such as ``debug@npm:4.3.4``; only ``npm:``
resolutions are registry packages (workspaces, patches, git and file sources are skipped).
"""

from __future__ import annotations

import re

from vigil.catalog.languages import _coords
from vigil.catalog.languages._data import as_mapping, load_yaml, text_field
from vigil.catalog.languages._support import Collector, FileCataloger, Malformed
from vigil.catalog.languages.npm_package_lock import registry_version

_V1_VERSION = re.compile(r'^ {2}version:? +"?([^"\s]+)"?\s*$')


def descriptor_name(descriptor: str) -> str | None:
    """The registry package a v1 descriptor resolves to (``a@npm:b@^1`` is ``b``).

    None for a source outside the registry (``file:``, ``link:``, git, URLs, ``user/repo``):
    registry ranges and tags never contain ``:`` or ``/``.
    """
    descriptor = descriptor.strip().strip('"')
    if not descriptor:
        return None
    name, _, spec = descriptor[1:].partition("@")
    name = descriptor[0] + name
    if spec.startswith("npm:"):
        aliased = spec[4:]
        real, sep, _ = aliased[1:].partition("@")
        return aliased[0] + real if sep else name
    if ":" in spec or "/" in spec:
        return None
    return name


def _parse_v1(text: str, out: Collector) -> None:
    name: str | None = None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            if not line.rstrip().endswith(":"):
                raise Malformed(f"line {number}: expected an entry header ending with ':'")
            name = descriptor_name(line.rstrip()[:-1].split(",")[0])
            continue
        match = _V1_VERSION.match(line)
        if match and name is not None:
            version = registry_version(match[1])
            if version is not None:
                out.add(_coords.npm, name, version)
            name = None


def _parse_berry(text: str, out: Collector) -> None:
    document = as_mapping(load_yaml(text), "the document")
    for key, item in document.items():
        if key == "__metadata":
            continue
        entry = as_mapping(item, f"entry {key!r}")
        resolution, version = text_field(entry, "resolution"), entry.get("version")
        if resolution is None or version is None:
            out.warn(f"entry {key!r} has no resolution or version")
            continue
        name, sep, reference = resolution[1:].partition("@")
        if sep and reference.startswith("npm:"):
            out.add(_coords.npm, resolution[0] + name, str(version))


def _parse(text: str, out: Collector) -> None:
    if "\n__metadata:" in text or text.startswith("__metadata:"):
        _parse_berry(text, out)
    else:
        _parse_v1(text, out)


CATALOGER = FileCataloger(name="yarn-lock", globs=("**/yarn.lock",), parse_content=_parse)
