"""NuGet versions, parsed as ``NuGetVersion.TryParse`` and ordered as ``VersionComparer.Default``.

Accepted: after trimming whitespace, one to four dot-separated numbers (each 0..2147483647,
leading zeros and whitespace around a number allowed, missing parts are 0), then an optional
``-`` release label and an optional ``+`` metadata part. Labels are dot-separated, non-empty
``[0-9A-Za-z-]`` identifiers without leading zeros on all-digit ones; metadata identifiers follow
the same rules but may have leading zeros.

Order: major, minor, patch, revision numerically; a version with labels sorts before the same
version without; labels compare left to right, a label that parses as a 32-bit integer
(``int.TryParse``) as a number before any other, other labels case-insensitively (ordinal), a
shorter label list first. Metadata is ignored, so ``1.0`` == ``1.0.0.0+build``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from vigil.versions.scheme import InvalidVersion, VersionScheme

_INT_MAX = 2**31 - 1
_INT_MIN = -(2**31)
_IDENTIFIER = re.compile(r"[0-9A-Za-z-]+")
_NUMERIC_LABEL = re.compile(r"-?[0-9]+")
_PLAIN = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9}){0,3}")
_ASCII_SPACE = " \t\n\v\f\r"
_SEPARATOR = re.compile(r"[-+]")


def parse(version: str) -> tuple[Any, ...]:
    """The sort key of ``version``; raises ``InvalidVersion`` where ``NuGetVersion`` would."""
    if _PLAIN.fullmatch(version):
        plain = [int(part) for part in version.split(".")]
        return (*plain, *(0,) * (4 - len(plain)), 1)
    text = _trim(version)
    numbers, labels, metadata = _sections(text)
    parts = _numbers(numbers)
    if parts is None:
        raise InvalidVersion("nuget", version, "version numbers are not 1-4 integers")
    if metadata is not None and not all(_IDENTIFIER.fullmatch(p) for p in metadata.split(".")):
        raise InvalidVersion("nuget", version, "invalid build metadata")
    if labels is None:
        return (*parts, 1)
    return (*parts, 0, tuple(_label(label, version) for label in labels.split(".")))


def _sections(text: str) -> tuple[str, str | None, str | None]:
    """Split at the first ``-`` or ``+`` and at the next ``+``, as NuGet's ParseSections does."""
    first = _SEPARATOR.search(text)
    cut = first.start() if first else len(text)
    if cut >= len(text) - 1:
        # NuGet keeps a separator that ends the string inside the part before it.
        return text, None, None
    if text[cut] == "+":
        return text[:cut], None, text[cut + 1 :]
    plus = text.find("+", cut + 1)
    if plus < 0 or plus == len(text) - 1:
        return text[:cut], text[cut + 1 :], None
    return text[:cut], text[cut + 1 : plus], text[plus + 1 :]


def _numbers(text: str) -> tuple[int, int, int, int] | None:
    """Up to four dot-separated integers, each padded by whitespace; None when malformed."""
    if not text or all(_is_space(c) for c in text):
        return None
    pieces = text.split(".")
    if len(pieces) > 4:
        return None
    values = [0, 0, 0, 0]
    for i, piece in enumerate(pieces):
        digits = _trim(piece)
        if not digits or not digits.isascii() or not digits.isdigit():
            return None
        if len(digits.lstrip("0")) > 10:
            return None
        value = int(digits)
        if value > _INT_MAX:
            return None
        values[i] = value
    return values[0], values[1], values[2], values[3]


def _label(label: str, version: str) -> tuple[int, Any]:
    if not _IDENTIFIER.fullmatch(label):
        raise InvalidVersion("nuget", version, f"invalid release label {label!r}")
    if len(label) > 1 and label[0] == "0" and label.isdigit():
        raise InvalidVersion("nuget", version, f"leading zero in numeric label {label!r}")
    if _NUMERIC_LABEL.fullmatch(label):
        value = int(label)
        if _INT_MIN <= value <= _INT_MAX:
            return (0, value)
    # OrdinalIgnoreCase on ASCII: compare upper-cased code units.
    return (1, label.upper())


def _is_space(c: str) -> bool:
    """.NET's ``char.IsWhiteSpace``."""
    return c in "\t\n\v\f\r\x85" or unicodedata.category(c) in ("Zs", "Zl", "Zp")


def _trim(text: str) -> str:
    if text.isascii():
        return text.strip(_ASCII_SPACE)
    start, end = 0, len(text)
    while start < end and _is_space(text[start]):
        start += 1
    while end > start and _is_space(text[end - 1]):
        end -= 1
    return text[start:end]


SCHEME = VersionScheme("nuget", parse)
