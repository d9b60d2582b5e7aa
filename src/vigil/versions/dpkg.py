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


# Byte encoding. Each character of a non-digit run becomes its rank; each digit run becomes
# _RUN_END, a length and the digits without leading zeros. dpkg ranks "~" lowest, then the end of
# a run, letters, bytes >= 0x80 (read as negative chars, plus 256) and all other characters. The
# ranks are numbered over the byte values other than ASCII digits, so digits stay digits. A byte
# >= 0x80 is written as _HIGH followed by itself, keeping every rank below 0x80.
def _rank_table() -> tuple[bytearray, int, int]:
    letters = [c for c in range(128) if chr(c).isalpha()]
    # NUL, space and tab never reach the encoder: parse() rejects them first.
    others = [c for c in range(1, 128) if not chr(c).isalnum() and chr(c) not in "~ \t"]
    order = [ord("~"), -1, *letters, -2, *others]
    codes = [c for c in range(128) if not 0x30 <= c <= 0x39]
    table = bytearray(range(256))
    marks = {}
    for char, code in zip(order, codes, strict=False):
        if char < 0:
            marks[char] = code
        else:
            table[char] = code
    return table, marks[-1], marks[-2]


_TABLE, _RUN_END_CODE, _HIGH_CODE = _rank_table()
_RANKS = bytes(_TABLE)
_RUN_END = bytes([_RUN_END_CODE])
_PAD = _RUN_END + b"\x00"  # an exhausted part compares as empty runs and zeros
_END = _PAD + _RUN_END  # closes every part; never a prefix of another part's encoding
_DIGITS = re.compile(rb"([0-9]+)")
_HIGH = re.compile(rb"[\x80-\xff]")
# strtol() as dpkg calls it: leading white space other than the blanks already trimmed, a sign.
_EPOCH = re.compile(r"[\n\v\f\r]*([+-]?)([0-9]+)")


def _number(run: bytes) -> bytes:
    digits = run.lstrip(b"0")
    size = len(digits)
    # One length byte below 255; longer runs (absurd, but input is untrusted) get 8 more bytes.
    prefix = bytes([size]) if size < 255 else b"\xff" + size.to_bytes(8, "big")
    return _RUN_END + prefix + digits


# Most digit runs are short; their encodings are looked up instead of rebuilt.
_NUMBERS = {
    run: _number(run)
    for width in (1, 2, 3, 4)
    for value in range(10**width)
    for run in [str(value).zfill(width).encode()]
}


def _body(ranked: bytes) -> bytes:
    pieces = _DIGITS.split(ranked)
    try:
        pieces[1::2] = map(_NUMBERS.__getitem__, pieces[1::2])
    except KeyError:
        pieces[1::2] = [_NUMBERS.get(run) or _number(run) for run in pieces[1::2]]
    return b"".join(pieces)


def _high(match: re.Match[bytes]) -> bytes:
    return bytes([_HIGH_CODE]) + match[0]


def _encode(part: str) -> bytes:
    """The comparison key of an upstream version or a revision, for any input."""
    if not part.strip("0"):
        return _END  # empty or all zeros: nothing but padding
    raw = part.encode("utf-8", "surrogateescape")
    ranked = raw.translate(_RANKS)
    if not raw.isascii():
        ranked = _HIGH.sub(_high, ranked)
    body = _body(ranked)
    # A part ending in a non-digit run has an implicit zero after it.
    return body + (_END if "0" <= part[-1] <= "9" else _PAD + _END)


# The common case, an ASCII version within policy, is encoded in one pass: the upstream version
# and the revision are each closed by "/" (after a digit) or "|" (after a non-digit), and the
# closers are then replaced by the ending a part has when it is encoded on its own.
_FAST = re.compile(r"(?:([0-9]{1,9}):)?([0-9][-A-Za-z0-9.+~]{0,120})")
_FAST_TABLE = bytearray(_TABLE)
_FAST_TABLE[ord("/")] = 0xFE  # digit runs here are at most 121 long: no length byte reaches 0xFE
_FAST_TABLE[ord("|")] = 0xFF
_FAST_RANKS = bytes(_FAST_TABLE)
_AFTER_DIGIT = b"\xfe"
_AFTER_RUN = b"\xff"
_RUN_ENDING = _PAD + _END
_EPOCH_ZERO = _NUMBERS[b"0"] + _END


def _parse_fast(epoch: str | None, text: str) -> bytes | None:
    upstream, hyphen, revision = text.rpartition("-")
    if not hyphen:
        upstream, revision = revision, ""
    elif not revision:
        return None  # "revision number is empty": let the general parser say so
    if not upstream.lstrip("0"):
        return None  # an all-zero upstream version encodes as padding alone
    closer = "/" if upstream[-1].isdigit() else "|"
    if revision.lstrip("0"):
        text = f"{upstream}{closer}{revision}{'/' if revision[-1].isdigit() else '|'}"
        tail = b""
    else:
        text = upstream + closer
        tail = _END  # no revision, or an all-zero one
    body = _body(text.encode().translate(_FAST_RANKS))
    body = body.replace(_AFTER_DIGIT, _END).replace(_AFTER_RUN, _RUN_ENDING) + tail
    if epoch is None:
        return _EPOCH_ZERO + body
    return _body(epoch.encode()) + _END + body


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
        head = _body(str(epoch).encode()) + _END
        return head + _encode(upstream) + _encode(revision)
    except UnicodeError as exc:
        raise InvalidVersion(_NAME, version, str(exc)) from None


def parse(version: str) -> bytes:
    """Parse as dpkg's ``parseversion``: errors raise, syntax warnings are accepted.

    ``dpkg --compare-versions`` only warns about an upstream version that does not start with a
    digit or has characters outside the policy's set, and compares such versions anyway.
    """
    match = _FAST.fullmatch(version)
    if match is not None:
        key = _parse_fast(*match.groups())
        if key is not None:
            return key
    return _parse_any(version)


SCHEME = VersionScheme(_NAME, parse)
