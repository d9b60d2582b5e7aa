"""RPM versions (Red Hat, SUSE, Mageia, openEuler, Photon and kin), ordered as rpm orders them.

``rpmvercmp`` splits a string into tokens: runs of ASCII letters, runs of ASCII digits, ``~`` and
``^``; every other character only separates tokens. Tokens compare pairwise: ``~`` sorts before
everything, even the end of the string; then the end; then ``^``; then letter runs (as strings);
then digit runs (as integers). That is a plain lexicographic order on token sequences, so each
string is encoded once into bytes whose ``<`` is exactly ``rpmvercmp``.

An EVR ``[epoch:]version[-release]`` is split the way scanners split them (the epoch is what
precedes the first ``:``, the release what follows the last ``-``) and compared as rpm's
``labelCompare``: epoch (missing = ``0``), version, then release, each with ``rpmvercmp``, where a
missing release sorts before any release, even an empty one. Like ``labelCompare``, an empty
version is refused (``""``, ``1:``, ``-1``, ``+2-:``). For every ordinary EVR this is also what
rpm's own ``parseEVR`` split gives.
"""

from __future__ import annotations

import re

from vigil.versions.scheme import InvalidVersion, VersionScheme

_NAME = "rpm"

# Token bytes, in rpmvercmp's order: "~", the end, "^", a letter run (_ALPHA and its letters),
# then numbers. Zero is _ZERO, a one-digit number is its digit code, a longer one a length code
# and its digit codes (leading zeros dropped); these codes are consecutive, so numbers compare by
# length, then digit by digit. Letters are coded above every token start, so a letter run that
# is a prefix of another sorts first, as strcmp has it. Separators become _SEP and are deleted
# last: they only matter as token boundaries, which the codes already record.
_TILDE, _END, _CARET, _ALPHA, _ZERO = 1, 2, 3, 4, 5
_MAX_LENGTH = 120  # longer digit runs get _LONG and a 20-digit length
_LENGTHS = _ZERO + 10  # code of length 2; length n is _LENGTHS + n - 2
_LONG = _LENGTHS + _MAX_LENGTH - 1
_LETTER_SHIFT = 100  # "A" (65) becomes 165, above _LONG; "z" becomes 222
_SEP = b"\xff"


def _table(extra: dict[str, int]) -> bytes:
    table = bytearray(_SEP * 256)
    for code in range(128):
        if chr(code).isalpha():
            table[code] = code + _LETTER_SHIFT
    for digit in range(10):
        table[ord("0") + digit] = _ZERO + digit
    table[ord("~")] = _TILDE
    table[ord("^")] = _CARET
    for char, value in extra.items():
        table[ord(char)] = value
    return bytes(table)


_TABLE = _table({})
_LETTERS = b"%c-%c" % (ord("A") + _LETTER_SHIFT, ord("z") + _LETTER_SHIFT)
# A digit run that needs more than its one code, or a letter run.
_RUNS = re.compile(b"[%c-%c]{2,}|[%s]+" % (_ZERO, _ZERO + 9, _LETTERS))
_ZERO_CODE = bytes([_ZERO])
_ALPHA_CODE = bytes([_ALPHA])
_END_CODE = bytes([_END])


def _long_number(run: bytes) -> bytes:
    digits = run.lstrip(_ZERO_CODE)
    size = len(digits)
    if size < 2:
        return digits or _ZERO_CODE
    if size <= _MAX_LENGTH:
        return bytes([_LENGTHS + size - 2]) + digits
    return bytes([_LONG]) + (b"%020d" % size).translate(_TABLE) + digits


_SHORT_RUNS = {
    run: _long_number(run)
    for width in (2, 3, 4)
    for value in range(10**width)
    for run in [str(value).zfill(width).encode().translate(_TABLE)]
}


def _run(match: re.Match[bytes]) -> bytes:
    run = match[0]
    if run[0] > _LONG:
        return _ALPHA_CODE + run
    return _SHORT_RUNS.get(run) or _long_number(run)


def _tokens(ranked: bytes) -> bytes:
    return _RUNS.sub(_run, ranked).replace(_SEP, b"")


def _segments(text: str) -> bytes:
    """The rpmvercmp key of one string."""
    return _tokens(text.encode("utf-8", "surrogateescape").translate(_TABLE)) + _END_CODE


def vercmp(a: str, b: str) -> int:
    """Raw ``rpmvercmp`` of two strings: -1, 0 or 1."""
    for text in (a, b):
        if "\0" in text:
            raise InvalidVersion(_NAME, text, "NUL character")
    key_a, key_b = _segments(a), _segments(b)
    return (key_a > key_b) - (key_a < key_b)


# An EVR with at most one ":" and one "-" after it is encoded in one pass: they become the end of
# the epoch and of the version, which is where encoding each part on its own would put _END.
_FAST_TABLE = _table({":": _END, "-": _END})
_NO_EPOCH = _segments("0")


def _parse_evr(evr: str) -> bytes:
    if "\0" in evr:
        raise InvalidVersion(_NAME, evr, "NUL character")
    epoch, colon, rest = evr.partition(":")
    if not colon:
        epoch, rest = "0", evr
    version, hyphen, release = rest.rpartition("-")
    if not hyphen:
        version = release
    if not version:
        raise InvalidVersion(_NAME, evr, "empty version")
    key = _segments(epoch) + _segments(version)
    return key + _segments(release) if hyphen else key


def parse(evr: str) -> bytes:
    """The sort key of an ``[epoch:]version[-release]`` string."""
    colon, hyphen = evr.find(":"), evr.rfind("-")
    if (
        evr.isascii()
        and colon == evr.rfind(":")
        and hyphen == evr.find("-")
        and (hyphen if hyphen >= 0 else len(evr)) > colon + 1  # a version, after any epoch
        and "\0" not in evr
    ):
        key = _tokens(evr.encode().translate(_FAST_TABLE)) + _END_CODE
        return key if colon >= 0 else _NO_EPOCH + key
    return _parse_evr(evr)


SCHEME = VersionScheme(_NAME, parse)
