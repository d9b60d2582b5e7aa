"""Debian and Ubuntu package versions, ordered as dpkg orders them.

A version is ``[epoch:]upstream[-revision]``. dpkg compares the epoch as an integer, then the
upstream version and the revision with the same routine: alternating runs of non-digits, compared
character by character (``~`` before the end of the run, the end before letters, letters before
everything else), and runs of digits, compared as integers. A part that ends early is compared
as if padded with empty runs and zeros, so ``1.0~`` < ``1.0`` < ``1.0.`` and ``1.0-0`` == ``1.0``.

A version is encoded once into bytes whose plain ``<`` is exactly that comparison, so comparing
two parsed versions is a single ``memcmp``.
"""

from __future__ import annotations

import re

from vigil.versions.scheme import InvalidVersion, VersionScheme

_NAME = "dpkg"
_INT_MAX = 2**31 - 1

# The encoding. A non-digit character becomes its rank. A digit run (leading zeros dropped) ends
# the non-digit run before it, so it is written with codes that sort where dpkg puts the end of a
# run: above "~", below letters. Zero is _ZERO, a one-digit number is its digit code, a longer
# number is a length code followed by its digit codes; _ZERO, the digits and the lengths are
# consecutive codes, so numbers compare by length, then digit by digit.
_MAX_LENGTH = 120  # longer digit runs get _LONG and a 20-digit length
_LETTERS = [c for c in range(128) if chr(c).isalpha()]
# NUL, space and tab never reach the encoder: parse() rejects them first.
_OTHERS = [c for c in range(1, 128) if not chr(c).isalnum() and chr(c) not in "~ \t"]
_TILDE = 0
_ZERO = 1  # also the run end of a pair whose number is zero
_LENGTHS = _ZERO + 10  # code of length 2; length n is _LENGTHS + n - 2
_LONG = _LENGTHS + _MAX_LENGTH - 1
_HIGH = _LONG + 1 + len(_LETTERS)  # a byte >= 0x80 is _HIGH and the byte itself


def _rank_table() -> bytes:
    table = bytearray(256)
    table[ord("~")] = _TILDE
    for digit in range(10):
        table[ord("0") + digit] = _ZERO + digit
    for index, code in enumerate(_LETTERS):
        table[code] = _LONG + 1 + index
    for index, code in enumerate(_OTHERS):
        table[code] = _HIGH + 1 + index
    return bytes(table)


_RANKS = _rank_table()
_PAD = bytes([_ZERO])  # an exhausted part compares as empty runs and zeros
_END = _PAD + _PAD  # closes every part; never a prefix of another part's encoding
_RUNS = re.compile(b"[%c-%c]{2,}" % (_ZERO, _ZERO + 9))
# strtol() as dpkg calls it: leading white space other than the blanks already trimmed, a sign.
_EPOCH = re.compile(r"[\n\v\f\r]*([+-]?)([0-9]+)")


def _long_number(run: bytes) -> bytes:
    digits = run.lstrip(_PAD)
    size = len(digits)
    if size < 2:
        return digits or _PAD
    if size <= _MAX_LENGTH:
        return bytes([_LENGTHS + size - 2]) + digits
    return bytes([_LONG]) + (b"%020d" % size).translate(_RANKS) + digits


# Most multi-digit runs are short; their encodings are looked up instead of rebuilt.
_SHORT_RUNS = {
    run: _long_number(run)
    for width in (2, 3, 4)
    for value in range(10**width)
    for run in [str(value).zfill(width).encode().translate(_RANKS)]
}


def _number(match: re.Match[bytes]) -> bytes:
    run = match[0]
    return _SHORT_RUNS.get(run) or _long_number(run)


def _ranked(part: str) -> bytes:
    if part.isascii():
        return part.encode().translate(_RANKS)
    codes = bytearray()
    for byte in part.encode("utf-8", "surrogateescape"):
        if byte < 0x80:
            codes.append(_RANKS[byte])
        else:  # dpkg reads it as a negative char: above letters, below other characters
            codes += bytes([_HIGH, byte])
    return bytes(codes)


def _encode(part: str) -> bytes:
    """The comparison key of an upstream version or a revision, for any input."""
    if not part.strip("0"):
        return _END  # empty or all zeros: nothing but padding
    body = _RUNS.sub(_number, _ranked(part))
    # A part ending in a non-digit run has an implicit zero after it.
    return body + (_END if "0" <= part[-1] <= "9" else _PAD + _END)


# The common case, printable ASCII, is encoded in one pass: the upstream version and the revision
# are each closed by "\x01" (after a digit) or "\x02" (after a non-digit), characters that
# cannot occur here, and the closers are then replaced by the ending a part has on its own.
_FAST_TABLE = bytearray(_RANKS)
_FAST_TABLE[1] = 0xFE  # no rank or number code reaches 0xFE
_FAST_TABLE[2] = 0xFF
_FAST_RANKS = bytes(_FAST_TABLE)
_EPOCHS = {str(epoch): _encode(str(epoch)) for epoch in range(100)}
_AFTER_DIGIT, _AFTER_RUN = "\x01", "\x02"


def _parse_fast(version: str) -> bytes | None:
    epoch, colon, text = version.partition(":")
    if not colon:
        text, head = version, _END
    elif epoch.isdigit() and len(epoch) < 10:  # at most 999999999, below INT_MAX
        head = _EPOCHS.get(epoch) or _encode(epoch)
    else:
        return None
    upstream, hyphen, revision = text.rpartition("-")
    if not hyphen:
        upstream, revision = revision, ""
    elif not revision:
        return None  # "revision number is empty": let the general parser say so
    if not upstream.lstrip("0"):
        return None  # empty, or all zeros, which encodes as padding alone
    closer = _AFTER_DIGIT if upstream[-1].isdigit() else _AFTER_RUN
    if revision.lstrip("0"):
        text = (
            f"{upstream}{closer}{revision}{_AFTER_DIGIT if revision[-1].isdigit() else _AFTER_RUN}"
        )
        tail = b""
    else:
        text = upstream + closer
        tail = _END  # no revision, or an all-zero one
    body = _RUNS.sub(_number, text.encode().translate(_FAST_RANKS))
    return head + body.replace(b"\xfe", _END).replace(b"\xff", _PAD + _END) + tail


def _epoch(text: str, version: str) -> int:
    match = _EPOCH.match(text)
    if match is None:
        raise InvalidVersion(_NAME, version, "epoch in version is empty")
    if match.end() != len(text):
        raise InvalidVersion(_NAME, version, "epoch in version is not number")
    digits = match.group(2).lstrip("0") or "0"
    value = int(digits) if len(digits) <= 10 else _INT_MAX + 1
    if match.group(1) == "-" and value:
        raise InvalidVersion(_NAME, version, "epoch in version is negative")
    if value > _INT_MAX:
        raise InvalidVersion(_NAME, version, "epoch in version is too big")
    return value


def _parse_any(version: str) -> bytes:
    text = version.strip(" \t")
    if not text:
        raise InvalidVersion(_NAME, version, "version string is empty")
    if " " in text or "\t" in text:
        raise InvalidVersion(_NAME, version, "version string has embedded spaces")
    if "\0" in text:
        raise InvalidVersion(_NAME, version, "version string has a NUL character")
    epoch = 0
    colon = text.find(":")
    if colon >= 0:
        epoch = _epoch(text[:colon], version)
        text = text[colon + 1 :]
        if not text:
            raise InvalidVersion(_NAME, version, "nothing after colon in version number")
    upstream, hyphen, revision = text.rpartition("-")
    if not hyphen:
        upstream, revision = revision, ""
    elif not revision:
        raise InvalidVersion(_NAME, version, "revision number is empty")
    if not upstream:
        raise InvalidVersion(_NAME, version, "upstream version is empty")
    try:
        return _encode(str(epoch)) + _encode(upstream) + _encode(revision)
    except UnicodeError as exc:
        raise InvalidVersion(_NAME, version, str(exc)) from None


def parse(version: str) -> bytes:
    """Parse as dpkg's ``parseversion``: errors raise, syntax warnings are accepted.

    ``dpkg --compare-versions`` only warns about an upstream version that does not start with a
    digit or has characters outside the policy's set, and compares such versions anyway.
    """
    if version.isascii() and version.isprintable() and " " not in version:
        key = _parse_fast(version)
        if key is not None:
            return key
    return _parse_any(version)


SCHEME = VersionScheme(_NAME, parse)
