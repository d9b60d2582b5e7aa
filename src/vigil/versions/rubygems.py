"""RubyGems versions, ordered as ``Gem::Version#<=>``.

Valid strings match ``Gem::Version::ANCHORED_VERSION_PATTERN``: digits, then dot-separated
alphanumeric parts, then an optional ``-`` tail; surrounding ASCII whitespace is allowed and a
blank string means ``0``. Every ``-`` reads as ``.pre.``. The version splits into runs of
digits (numbers) and runs of letters (strings); any string makes it a prerelease.

Ordering uses the canonical segments: the numeric head and the tail from the first string on,
each without trailing zeros. Segments compare left to right with missing ones read as ``0``;
a string sorts below every number, strings compare bytewise, numbers by value.

The key is (head, tail). A head is a tuple of ints ending in a non-zero, so plain tuple order is
right for heads; when heads are equal the tails decide. In a tail each run of zeros is folded
into the next segment as (zeros before it, segment), so that "missing" (zeros forever) can be a
fixed element: below every number, above every string.
"""

from __future__ import annotations

import re
from functools import total_ordering
from typing import Any

from vigil.versions.scheme import InvalidVersion, VersionScheme

_SPACE = " \t\n\v\f\r"
_VALID = re.compile(
    rf"[{_SPACE}]*"
    r"(?:[0-9]+(?>\.[0-9a-zA-Z]+)*(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?)?"
    rf"[{_SPACE}]*\Z"
)
_PLAIN = re.compile(r"[0-9]{1,18}(?:\.[0-9]{1,18})*")
_SEGMENT = re.compile(r"[0-9]+|[a-zA-Z]+")

# The end of a tail ("zeros forever") sits between strings (kind 0) and numbers (kind 1).
_END = (0.5,)
_NO_TAIL = (_END,)
# Python refuses int() on more than 4300 digits; longer numbers get an exact stand-in.
_MAX_INT_DIGITS = 4000


def parse(version: str) -> tuple[Any, ...]:
    """The sort key of ``version``; raises ``InvalidVersion`` where ``Gem::Version`` would."""
    if _PLAIN.fullmatch(version):
        numbers = [int(part) for part in version.split(".")]
        while numbers and not numbers[-1]:
            numbers.pop()
        return tuple(numbers), _NO_TAIL
    if not _VALID.match(version):
        raise InvalidVersion("rubygems", version, "malformed version number string")
    text = version.strip(_SPACE).replace("-", ".pre.")
    segments: list[Any] = [_number(s) if s[0] <= "9" else s for s in _SEGMENT.findall(text)]
    split = next((i for i, s in enumerate(segments) if isinstance(s, str)), len(segments))
    head = segments[:split]
    while head and head[-1] == 0:
        head.pop()
    tail: list[tuple[Any, ...]] = []
    zeros = 0
    for segment in segments[split:]:
        if segment == 0:
            zeros += 1
        elif isinstance(segment, str):
            tail.append((0, zeros, segment))
            zeros = 0
        else:
            tail.append((1, -zeros, segment))
            zeros = 0
    # Trailing zeros of the tail vanish: they are never folded into a segment.
    tail.append(_END)
    return tuple(head), tuple(tail)


def _number(digits: str) -> Any:
    if len(digits) <= _MAX_INT_DIGITS:
        return int(digits)
    significant = digits.lstrip("0")
    return int(significant) if len(significant) <= _MAX_INT_DIGITS else _HugeNumber(significant)


@total_ordering
class _HugeNumber:
    """A number too long for ``int()``: larger than any int we build, ordered by its digits."""

    __slots__ = ("_digits",)

    def __init__(self, digits: str) -> None:
        self._digits = digits

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _HugeNumber) and self._digits == other._digits

    def __lt__(self, other: object) -> bool:
        if isinstance(other, _HugeNumber):
            return (len(self._digits), self._digits) < (len(other._digits), other._digits)
        if isinstance(other, int):
            return False
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._digits)


SCHEME = VersionScheme("rubygems", parse)
