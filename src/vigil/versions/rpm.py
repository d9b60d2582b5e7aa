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

# Token bytes, in rpmvercmp's order; a letter run follows _ALPHA, a digit run is _NUMBER, a length
# and the digits without leading zeros. Separators become _SEP and are deleted at the end; they
# only matter as token boundaries, which the markers already record.
_TILDE, _END, _CARET, _ALPHA, _NUMBER = b"\x01", b"\x02", b"\x03", b"\x04", b"\x05"
_SEP = b"\xff"


def _table(extra: dict[str, bytes]) -> bytes:
    table = bytearray(_SEP * 256)
    for code in range(128):
        if chr(code).isalnum():
            table[code] = code
    table[ord("~")] = _TILDE[0]
    table[ord("^")] = _CARET[0]
    for char, value in extra.items():
        table[ord(char)] = value[0]
    return bytes(table)


_TABLE = _table({})
_DIGITS = re.compile(rb"([0-9]+)")
_ALPHA_START = re.compile(rb"(?<![A-Za-z])(?=[A-Za-z])")


def _number(run: bytes) -> bytes:
    digits = run.lstrip(b"0")
    size = len(digits)
    # Lengths from 128 on (absurd, but input is untrusted) are written as 0xFE and 20 decimal
    # digits, so no encoded number ever contains _SEP.
    prefix = bytes([size]) if size < 0x80 else b"\xfe" + b"%020d" % size
    return _NUMBER + prefix + digits


_NUMBERS = {
    run: _number(run)
    for width in (1, 2, 3, 4)
    for value in range(10**width)
    for run in [str(value).zfill(width).encode()]
}


def _tokens(ranked: bytes) -> bytes:
    pieces = _DIGITS.split(_ALPHA_START.sub(_ALPHA, ranked))
    try:
        pieces[1::2] = map(_NUMBERS.__getitem__, pieces[1::2])
    except KeyError:
        pieces[1::2] = [_NUMBERS.get(run) or _number(run) for run in pieces[1::2]]
    return b"".join(pieces).replace(_SEP, b"")


def _segments(text: str) -> bytes:
    """The rpmvercmp key of one string."""
    return _tokens(text.encode("utf-8", "surrogateescape").translate(_TABLE)) + _END


def vercmp(a: str, b: str) -> int:
    """Raw ``rpmvercmp`` of two strings: -1, 0 or 1."""
    for text in (a, b):
        if "\0" in text:
            raise InvalidVersion(_NAME, text, "NUL character")
    key_a, key_b = _segments(a), _segments(b)
    return (key_a > key_b) - (key_a < key_b)


# The common EVR shape is encoded in one pass: ":" and "-" become the end of the epoch and of the
# version, which is where a separate encoding of each part would put _END.
_FAST = re.compile(r"([0-9]{1,20}:)?[0-9A-Za-z._+~^]{1,100}(?:-[0-9A-Za-z._+~^]{1,100})?")
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
    match = _FAST.fullmatch(evr)
    if match is None:
        return _parse_evr(evr)
    key = _tokens(evr.encode().translate(_FAST_TABLE)) + _END
    return key if match.group(1) else _NO_EPOCH + key


SCHEME = VersionScheme(_NAME, parse)
