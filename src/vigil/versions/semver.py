"""Semantic Versioning 2.0.0 precedence, for OSV ``SEMVER`` ranges and the plain-SemVer ecosystems.

Parsing follows the semver.org grammar exactly (no leading zeros in numeric parts, non-empty
identifiers of ``[0-9A-Za-z-]``) with one leniency: a leading ``v`` is accepted, because package
versions often carry it. Build metadata is validated but ignored for ordering (section 10).

Keys are flat tuples ``(major, minor, patch, 1)`` for releases and
``(major, minor, patch, 0, kind, value, kind, value, ...)`` for prereleases, where ``kind`` is 0
for a numeric identifier (``value`` an int) and 1 for an alphanumeric one (``value`` a str). The
kind slot always decides before two values of different types meet, numeric identifiers sort
below alphanumeric ones, and a shorter identifier list sorts first when it is a prefix of the
longer one, which is exactly section 11.
"""

from __future__ import annotations

import re

from vigil.versions.scheme import InvalidVersion, VersionScheme

# The references have no length limit; this bound keeps hostile input (and int() on thousands of
# digits) cheap. No real version comes near it.
MAX_LENGTH = 1024

NUMBER = r"0|[1-9][0-9]*"
PRERELEASE_IDENT = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
PRERELEASE = rf"{PRERELEASE_IDENT}(?:\.{PRERELEASE_IDENT})*"
BUILD = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"

_VERSION = re.compile(rf"v?({NUMBER})\.({NUMBER})\.({NUMBER})(?:-({PRERELEASE}))?(?:\+{BUILD})?")

Key = tuple[int | str, ...]


class _Numbers(dict[str, int]):
    """Decimal digits to int, with small numbers precomputed: a hit costs far less than int()."""

    def __missing__(self, digits: str) -> int:
        return int(digits)


NUMBERS = _Numbers((str(i), i) for i in range(1000))


def precedence_key(major: int, minor: int, patch: int, prerelease: str | None) -> Key:
    """The sort key for a version whose prerelease (without ``-``) is already validated."""
    if not prerelease:
        return (major, minor, patch, 1)
    key: list[int | str] = [major, minor, patch, 0]
    for ident in prerelease.split("."):
        # Validated identifiers are ASCII, so isdigit() cannot see non-ASCII digits here.
        if ident.isdigit():
            key += (0, NUMBERS[ident])
        else:
            key += (1, ident)
    return tuple(key)


def check_length(scheme: str, version: str) -> None:
    if len(version) > MAX_LENGTH:
        raise InvalidVersion(scheme, version[:64] + "...", f"longer than {MAX_LENGTH} characters")


def parse(version: str) -> Key:
    """The precedence key of a SemVer 2.0.0 version (optionally ``v``-prefixed)."""
    check_length("semver", version)
    m = _VERSION.fullmatch(version)
    if m is None:
        raise InvalidVersion("semver", version, "not a SemVer 2.0.0 version")
    major, minor, patch, pre = m.group(1, 2, 3, 4)
    if pre is None:
        return (NUMBERS[major], NUMBERS[minor], NUMBERS[patch], 1)
    return precedence_key(NUMBERS[major], NUMBERS[minor], NUMBERS[patch], pre)


SCHEME = VersionScheme("semver", parse)
