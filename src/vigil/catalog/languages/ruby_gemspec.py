"""Installed gems: ``specifications/*.gemspec`` files, read as text and never evaluated.

RubyGems writes these files itself, in a regular shape: a ``# stub: name version platform``
comment and ``s.name = "rack".freeze`` / ``s.version = "2.2.22"`` assignments. The assignments
win; the stub line is the fallback. Default gems (``specifications/default``) are included:
they ship with Ruby and have advisories of their own.
"""

from __future__ import annotations

import re

from vigil.catalog.languages import _coords
from vigil.catalog.languages._support import Collector, FileCataloger, Malformed, MiB

_ASSIGN = re.compile(
    r"""^\s*\w+\.(?P<field>name|version)\s*=\s*
        (?:Gem::Version\.new\(\s*)?
        (?P<quote>["'])(?P<value>[^"']+)(?P=quote)""",
    re.MULTILINE | re.VERBOSE,
)
_STUB = re.compile(r"^# stub: (?P<name>\S+) (?P<version>\S+)", re.MULTILINE)


def _parse(text: str, out: Collector) -> None:
    fields: dict[str, str] = {}
    for match in _ASSIGN.finditer(text):
        fields.setdefault(match["field"], match["value"])
    stub = _STUB.search(text)
    if stub is not None:
        fields.setdefault("name", stub["name"])
        fields.setdefault("version", stub["version"])
    if "name" not in fields or "version" not in fields:
        raise Malformed("gemspec without a literal name and version")
    out.add(_coords.gem, fields["name"], fields["version"])


CATALOGER = FileCataloger(
    name="ruby-gemspec",
    globs=("**/specifications/*.gemspec", "**/specifications/default/*.gemspec"),
    parse_content=_parse,
    limit=1 * MiB,
)
