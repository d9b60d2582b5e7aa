"""Pinned requirements files (``requirements*.txt``): only ``==`` and ``===`` pins count.

A requirements file may list ranges, URLs, editable installs and options; those say nothing about
an exact version and are skipped silently, since listing them as warnings would only be noise.
Environment markers are kept as if true: the target's interpreter is not known here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from vigil.catalog.languages import _coords
from vigil.catalog.languages._support import Collector, FileCataloger, MiB

_PIN = re.compile(
    r"""^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*
        (?:\[[^\]]*\])?\s*            # extras
        (?P<op>===?)\s*(?P<version>[^\s;,\\]+)\s*
        (?:;.*)?$                     # environment marker
    """,
    re.VERBOSE,
)
# Per-requirement options pip accepts after the specifier (hashes, build options).
_OPTIONS = re.compile(r"\s--?[A-Za-z][\w-]*(?:[= ]\S+)?")
_COMMENT = re.compile(r"(?:^|\s)#.*$")


def logical_lines(text: str) -> Iterator[str]:
    """Lines with comments removed and backslash continuations joined, as pip reads them."""
    pending = ""
    for raw in text.splitlines():
        line = _COMMENT.sub("", raw) if not raw.rstrip().endswith("\\") else raw
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        yield (pending + line).strip()
        pending = ""
    if pending.strip():
        yield pending.strip()


def pin(line: str) -> tuple[str, str] | None:
    """``(name, version)`` of an exact pin, or None for anything else."""
    if not line or line.startswith("-"):
        return None
    match = _PIN.match(_OPTIONS.sub("", " " + line).strip())
    if match is None:
        return None
    version = match["version"]
    if match["op"] == "==" and "*" in version:
        return None  # a prefix match (==1.2.*) is a range, not a pin
    return match["name"], version


def _parse(text: str, out: Collector) -> None:
    for line in logical_lines(text):
        found = pin(line)
        if found is not None:
            out.add(_coords.pypi, *found)


CATALOGER = FileCataloger(
    name="python-requirements",
    globs=("**/*requirements*.txt",),
    parse_content=_parse,
    limit=4 * MiB,
)
