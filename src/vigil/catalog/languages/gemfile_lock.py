"""Bundler lock files (``Gemfile.lock``): the gems of every ``GEM`` section's ``specs``.

Specs are indented four spaces (``    nokogiri (1.15.4-x86_64-linux)``); their dependencies, at six
spaces, carry ranges and are skipped. A platform suffix is not part of the RubyGems version.
``GIT`` and ``PATH`` sections are not releases of rubygems.org and are skipped.
"""

from __future__ import annotations

import re

from vigil.catalog.languages import _coords
from vigil.catalog.languages._support import Collector, FileCataloger, Malformed, MiB

_SPEC = re.compile(r"^ {4}(?P<name>[^\s(]+) \((?P<version>[^)\s]+)\)\s*$")
_SECTION = re.compile(r"^[A-Z][A-Z ]*$")


def split_platform(version: str) -> str:
    """``1.15.4-x86_64-linux`` is version ``1.15.4``: gem versions never contain a dash."""
    return version.split("-", 1)[0]


def _parse(text: str, out: Collector) -> None:
    section = ""
    in_specs = False
    seen_section = False
    for line in text.splitlines():
        if _SECTION.match(line):
            section, in_specs, seen_section = line.strip(), False, True
        elif line.strip() == "specs:":
            in_specs = True
        elif section == "GEM" and in_specs:
            match = _SPEC.match(line)
            if match:
                out.add(_coords.gem, match["name"], split_platform(match["version"]))
    if not seen_section:
        raise Malformed("no sections: not a Gemfile.lock")


CATALOGER = FileCataloger(
    name="gemfile-lock",
    globs=("**/Gemfile.lock", "**/gems.locked"),
    parse_content=_parse,
    limit=8 * MiB,
)
