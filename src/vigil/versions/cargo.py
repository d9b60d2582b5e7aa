"""crates.io versions and requirements, as the Rust ``semver`` crate 1.0 parses and evaluates them.

``parse`` is ``Version::parse``: strict SemVer with no ``v`` prefix, no whitespace, no leading
zeros, numbers that fit in u64. Its key orders by precedence (build metadata ignored), which is
what OSV ranges need; the crate's own ``Ord`` also orders build metadata, which never matters
for vulnerability ranges.

``matches`` is ``VersionReq::matches``: comma-separated comparators, caret by default, and the
prerelease rule that a prerelease version only matches when some comparator names the same
major.minor.patch with a prerelease of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vigil.versions.scheme import InvalidVersion, VersionScheme
from vigil.versions.semver import (
    BUILD,
    NUMBER,
    NUMBERS,
    PRERELEASE,
    Key,
    check_length,
    precedence_key,
)

_U64_MAX = 2**64 - 1
_MAX_COMPARATORS = 32  # the crate's ExcessiveComparators limit
_MAX_REQ_LENGTH = 4096

_VERSION = re.compile(rf"({NUMBER})\.({NUMBER})\.({NUMBER})(?:-({PRERELEASE}))?(?:\+{BUILD})?")
_DIGITS = re.compile(r"[0-9]+")
_IDENT_RUN = re.compile(r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*")
_OPS = (">=", "<=", "=", ">", "<", "~", "^")
_WILDCARDS = ("*", "x", "X")
_NO_PRE: Key = (1,)  # the key tail of a version without prerelease


class InvalidRequirement(ValueError):
    """A requirement string ``VersionReq::parse`` would reject."""


def parse(version: str) -> Key:
    """The precedence key of a crate version."""
    major, minor, patch, pre = _parts(version)
    if pre is None:
        return (major, minor, patch, 1)
    return precedence_key(major, minor, patch, pre)


def _parts(version: str) -> tuple[int, int, int, str | None]:
    check_length("cargo", version)
    m = _VERSION.fullmatch(version)
    if m is None:
        raise InvalidVersion("cargo", version, "not a version per the semver crate")
    major, minor, patch, pre = m.group(1, 2, 3, 4)
    major, minor, patch = NUMBERS[major], NUMBERS[minor], NUMBERS[patch]
    if major > _U64_MAX or minor > _U64_MAX or patch > _U64_MAX:
        raise InvalidVersion("cargo", version, "number does not fit in u64")
    return major, minor, patch, pre


SCHEME = VersionScheme("cargo", parse)


@dataclass(frozen=True, slots=True)
class Comparator:
    """One comparator; ``op`` is ``*`` for a bare wildcard such as ``1.*``."""

    op: str
    major: int
    minor: int | None
    patch: int | None
    pre: Key  # (1,) when absent, else (0, kind, value, ...) as in precedence keys


def matches(version: str, req: str) -> bool:
    """Whether ``version`` satisfies the requirement ``req``.

    Raises ``InvalidVersion`` or ``InvalidRequirement`` when either does not parse.
    """
    major, minor, patch, prerelease = _parts(version)
    return matches_parsed(major, minor, patch, _pre_key(prerelease), parse_requirement(req))


def matches_parsed(
    major: int, minor: int, patch: int, pre: Key, comparators: tuple[Comparator, ...]
) -> bool:
    """``VersionReq::matches`` on a parsed version (``pre`` as in ``Comparator.pre``)."""
    if not all(_matches_one(c, major, minor, patch, pre) for c in comparators):
        return False
    if pre == _NO_PRE:
        return True
    return any(
        c.major == major and c.minor == minor and c.patch == patch and c.pre != _NO_PRE
        for c in comparators
    )


def _pre_key(prerelease: str | None) -> Key:
    return precedence_key(0, 0, 0, prerelease)[3:]


def parse_requirement(req: str) -> tuple[Comparator, ...]:
    """The comparators of ``req``; a lone wildcard gives none (matches any release)."""
    if len(req) > _MAX_REQ_LENGTH:
        raise InvalidRequirement(f"requirement longer than {_MAX_REQ_LENGTH} characters")
    text = req.lstrip(" ")
    if text[:1] in _WILDCARDS:
        if text[1:].lstrip(" "):
            raise InvalidRequirement(f"{req!r}: a wildcard must be the only comparator")
        return ()
    comparators: list[Comparator] = []
    while True:
        comparator, text = _comparator(req, text)
        comparators.append(comparator)
        if not text:
            return tuple(comparators)
        if text[0] != ",":
            raise InvalidRequirement(f"{req!r}: expected comma, found {text[0]!r}")
        if len(comparators) == _MAX_COMPARATORS:
            raise InvalidRequirement(f"{req!r}: more than {_MAX_COMPARATORS} comparators")
        text = text[1:].lstrip(" ")


def _comparator(req: str, text: str) -> tuple[Comparator, str]:
    op = next((o for o in _OPS if text.startswith(o)), "")
    text = text[len(op) :].lstrip(" ")
    default_op = op == ""
    op = op or "^"
    major, text = _number(req, text)
    minor = patch = None
    wildcard = False
    if text[:1] == ".":
        if text[1:2] in _WILDCARDS:
            wildcard, text = True, text[2:]
            op = "*" if default_op else op
        else:
            minor, text = _number(req, text[1:])
    if text[:1] == ".":
        if text[1:2] in _WILDCARDS:
            text = text[2:]
            op = "*" if default_op else op
        elif wildcard:
            raise InvalidRequirement(f"{req!r}: unexpected character after wildcard")
        else:
            patch, text = _number(req, text[1:])
    pre: Key = _NO_PRE
    if patch is not None and text[:1] == "-":
        ident, text = _identifier(req, text[1:])
        if any(len(i) > 1 and i[0] == "0" and i.isdigit() for i in ident.split(".")):
            raise InvalidRequirement(f"{req!r}: leading zero in prerelease")
        pre = _pre_key(ident)
    if patch is not None and text[:1] == "+":
        _, text = _identifier(req, text[1:])
    return Comparator(op, major, minor, patch, pre), text.lstrip(" ")


def _number(req: str, text: str) -> tuple[int, str]:
    m = _DIGITS.match(text)
    if m is None:
        raise InvalidRequirement(f"{req!r}: expected a number at {text[:10]!r}")
    digits = m[0]
    if len(digits) > 1 and digits[0] == "0":
        raise InvalidRequirement(f"{req!r}: leading zero in {digits!r}")
    value = int(digits)
    if value > _U64_MAX:
        raise InvalidRequirement(f"{req!r}: {digits} does not fit in u64")
    return value, text[m.end() :]


def _identifier(req: str, text: str) -> tuple[str, str]:
    m = _IDENT_RUN.match(text)
    if m is None or text[m.end() : m.end() + 1] == ".":
        raise InvalidRequirement(f"{req!r}: empty identifier segment")
    return m[0], text[m.end() :]


def _matches_one(c: Comparator, major: int, minor: int, patch: int, pre: Key) -> bool:
    op = c.op
    if op in ("=", "*"):
        return _exact(c, major, minor, patch, pre)
    if op == ">":
        return _order(c, major, minor, patch, pre) > 0
    if op == ">=":
        return _exact(c, major, minor, patch, pre) or _order(c, major, minor, patch, pre) > 0
    if op == "<":
        return _order(c, major, minor, patch, pre) < 0
    if op == "<=":
        return _exact(c, major, minor, patch, pre) or _order(c, major, minor, patch, pre) < 0
    if major != c.major:
        return False
    if op == "~":
        if c.minor is not None and minor != c.minor:
            return False
        if c.patch is not None and patch != c.patch:
            return patch > c.patch
        return pre >= c.pre
    return _caret(c, minor, patch, pre)


def _exact(c: Comparator, major: int, minor: int, patch: int, pre: Key) -> bool:
    return (
        major == c.major
        and (c.minor is None or minor == c.minor)
        and (c.patch is None or patch == c.patch)
        and pre == c.pre
    )


def _order(c: Comparator, major: int, minor: int, patch: int, pre: Key) -> int:
    """Sign of version - comparator on the named parts; 0 where a missing part stops the walk."""
    for have, want in ((major, c.major), (minor, c.minor), (patch, c.patch)):
        if want is None:
            return 0
        if have != want:
            return 1 if have > want else -1
    return (pre > c.pre) - (pre < c.pre)


def _caret(c: Comparator, minor: int, patch: int, pre: Key) -> bool:
    if c.minor is None:
        return True
    if c.patch is None:
        return minor >= c.minor if c.major > 0 else minor == c.minor
    if c.major > 0:
        if minor != c.minor:
            return minor > c.minor
    elif c.minor > 0:
        if minor != c.minor:
            return False
    elif minor != c.minor or patch != c.patch:
        return False
    if patch != c.patch:
        return patch > c.patch
    return pre >= c.pre
