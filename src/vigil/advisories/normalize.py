"""Package names as the advisory index keys them: ``(ecosystem base name, normalised name)``.

Both sides of a match go through ``index_key``: the store when it indexes an ``affected`` entry,
the matcher when it looks up an inventory package. A rule may only fold together names that the
ecosystem's own registry or tooling treats as the same package; folding two distinct packages
would turn one package's advisories into another's false positives.

Rules, by ecosystem:

- PyPI: PEP 503 (runs of ``-``, ``_``, ``.`` become one ``-``, lower case). pip and the index
  resolve every spelling to the same project
  (https://peps.python.org/pep-0503/#normalized-names).
- crates.io: lower case and ``_`` as ``-``. crates.io refuses to publish a crate whose name
  differs from an existing one only by case or by ``-``/``_``, so such spellings are one crate.
- NuGet: lower case. Package ids are case-insensitive on nuget.org and in the client, and lock
  files and project files often spell them differently from the registry.
- Packagist: lower case. Composer treats ``vendor/package`` case-insensitively and lower-cases
  names it writes.
- Debian, Ubuntu: lower case. Debian Policy (5.6.1) allows only lower-case source package names,
  so this never merges two real packages; it only absorbs sloppy spellings in converted feeds.
- Alpine: lower case. abuild rejects a ``pkgname`` with upper-case letters, same reasoning.
- Maven (``group:artifact``), Go module paths, npm, RubyGems, the RPM distributions, Hex, Pub,
  Hackage, SwiftURL and everything else: kept as written, whitespace stripped. They are
  case-sensitive: Go's module proxy escapes upper case because paths differ by case; npm and
  RubyGems still serve legacy packages that differ from others only by case (``JSONStream``,
  ``Saikuro``/``saikuro``); RPM names are case-sensitive (``NetworkManager``).

Ecosystems Vigil does not know (OSV adds them over time) are keyed by their base name with the
name stripped, so their records are stored and can be found, just not folded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

_PEP503_SEPARATORS = re.compile(r"[-_.]+")


class PackageKey(NamedTuple):
    """The index key of a package: OSV ecosystem base name and normalised package name."""

    ecosystem: str
    name: str


def _pep503(name: str) -> str:
    return _PEP503_SEPARATORS.sub("-", name).lower()


def _crate(name: str) -> str:
    return name.lower().replace("_", "-")


def _lower(name: str) -> str:
    return name.lower()


def _as_is(name: str) -> str:
    return name


_RULES: dict[str, Callable[[str], str]] = {
    "PyPI": _pep503,
    "crates.io": _crate,
    "NuGet": _lower,
    "Packagist": _lower,
    "Debian": _lower,
    "Ubuntu": _lower,
    "Alpine": _lower,
}


def ecosystem_base(ecosystem: str) -> str:
    """The ecosystem without its release suffix (``Debian:12`` -> ``Debian``)."""
    return ecosystem.partition(":")[0].strip()


def normalize_name(ecosystem: str, name: str) -> str:
    """The name under which ``name`` is indexed in ``ecosystem`` (release suffix allowed)."""
    return _RULES.get(ecosystem_base(ecosystem), _as_is)(name.strip())


def index_key(ecosystem: str, name: str) -> PackageKey:
    """The ``(ecosystem base, normalised name)`` key for a package of an OSV ecosystem."""
    base = ecosystem_base(ecosystem)
    return PackageKey(base, _RULES.get(base, _as_is)(name.strip()))
