"""Maven versions, ordered as maven-artifact 3.9's ``ComparableVersion``.

A version is lowercased and cut into items at ``.`` and ``-`` and wherever digits meet
non-digits. ``-`` and every digit/letter transition open a nested list, so a parsed version is
a chain: each list holds numbers and qualifiers and may end in one sub-list. Each list drops its
trailing "null" items (``0``, the release qualifier, empty lists) before comparison.

Items compare as Maven's do: numbers above lists above qualifiers; numbers by value within
their width class (int < long < big, as Maven keeps them apart); well-known qualifiers in the
order alpha < beta < milestone < rc < snapshot < release < sp, then unknown ones lexically
(UTF-16 order, like Java); a list that ends early is padded with nulls.

The chain is flattened into one tuple (a marker token stands for "a sub-list opens here"), so
a comparison is a tuple comparison, plus a short scan of the longer version's remaining items
when one version is a prefix of the other. Plain ``1.2.3`` versions skip all of this and keep
a tuple of ints.

Maven's relation is not transitive: a null at the head of a nested list, or a version starting
with letters, can close a cycle (``client_hc_no_vehicle > 0 > 0-SNAPSHOT > client_hc_no_vehicle``,
``1.0.alpha.1 > 1.ga.1 > 1 > 1.0.alpha.1``). Keys answer every pair exactly as Maven does, so
such sets have no consistent sort order; the usual shapes (numbers, one qualifier group, an
optional ``-SNAPSHOT``) are totally ordered.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from vigil.versions.scheme import InvalidVersion, VersionScheme

# Index of each well-known qualifier; unknown qualifiers rank after all of them.
_KNOWN = {"alpha": 0, "beta": 1, "milestone": 2, "rc": 3, "snapshot": 4, "": 5, "sp": 6}
_RELEASE = _KNOWN[""]
_UNKNOWN = 7
_ALIASES = {"ga": "", "final": "", "release": "", "cr": "rc"}
_SHORT = {"a": "alpha", "b": "beta", "m": "milestone"}

# Token kinds: their order is Maven's order between item types.
_WORD, _LIST, _NUMBER = 0, 1, 2
_LIST_TOKEN = (_LIST,)

# Java's Character.isDigit sees UTF-16 units, so digits outside the BMP are letters to Maven.
_DIGIT = r"[^\D\U00010000-\U0010FFFF]"
_RUN = re.compile(rf"({_DIGIT}+)|([.\-])|((?:[^\d.\-]|[\U00010000-\U0010FFFF])+)")

Token = tuple[Any, ...]


class MavenKey:
    """Sort key of one Maven version; compares exactly as ``ComparableVersion.compareTo``."""

    __slots__ = ("_numbers", "_tokens")

    def __init__(self, tokens: tuple[Token, ...] | None, numbers: tuple[int, ...] | None) -> None:
        self._tokens = tokens
        # Plain "1.2.3" versions keep their numbers: two of them compare as int tuples (their
        # trailing zeros are gone, so a longer one is larger, as Maven's padding says).
        self._numbers = numbers

    @property
    def tokens(self) -> tuple[Token, ...]:
        if self._tokens is None:
            self._tokens = tuple(_int_token(n) for n in self._numbers or ())
        return self._tokens

    def __lt__(self, other: MavenKey) -> bool:
        if self._numbers is not None and other._numbers is not None:
            return self._numbers < other._numbers
        a, b = self.tokens, other.tokens
        la, lb = len(a), len(b)
        # Tuples call a proper prefix smaller; Maven pads the shorter version with nulls instead,
        # so the longer one's remaining items decide.
        if la < lb and a == b[:la]:
            return _rest_sign(b, la) > 0
        if lb < la and b == a[:lb]:
            return _rest_sign(a, lb) < 0
        return a < b

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MavenKey) and self.tokens == other.tokens

    def __hash__(self) -> int:
        return hash(self.tokens)

    def __repr__(self) -> str:
        return f"MavenKey({self.tokens!r})"


def parse(version: str) -> MavenKey:
    """The sort key of ``version``; Maven accepts every non-empty string."""
    if _PLAIN.fullmatch(version):
        numbers = [int(part) for part in version.split(".")]
        while numbers and not numbers[-1]:
            numbers.pop()
        return MavenKey(None, tuple(numbers))
    flat: list[Token] = []
    for depth, segment in enumerate(_segments(version)):
        if depth:
            flat.append(_LIST_TOKEN)
        flat.extend(segment)
    return MavenKey(tuple(flat), None)


def canonical(version: str) -> str:
    """Maven's ``getCanonical()``: the normalised items joined by ``.`` and ``-``."""
    text = ""
    for segment in reversed(_segments(version)):
        inner = ""
        for token in segment:
            shown = _shown(token)
            inner = f"{inner}.{shown}" if inner else shown
        if not text:
            text = inner
        elif inner:
            text = f"{inner}-{text}"
    return text


def _segments(version: str) -> list[list[Token]]:
    """The normalised chain of lists, outermost first."""
    if not version:
        raise InvalidVersion("maven", version, "empty version")
    chain: list[list[Token]] = [[]]
    current = chain[0]
    # The run not yet turned into an item: what follows it decides how (Maven's startIndex).
    pending = ""
    pending_digits = False
    for digits, separator, letters in _RUN.findall(version.lower()):
        if separator:
            if not pending:
                current.append(_ZERO)
            else:
                current.append(_number(pending) if pending_digits else _word(pending, False))
                pending = ""
            if separator == "-":
                current = []
                chain.append(current)
            continue
        if pending:
            # A digit/letter transition: the earlier run becomes an item and a sub-list opens.
            if pending_digits:
                current.append(_number(pending))
            else:
                if current:
                    current = []
                    chain.append(current)
                current.append(_word(pending, True))
            current = []
            chain.append(current)
        pending, pending_digits = (digits, True) if digits else (letters, False)
    if pending:
        # A trailing qualifier after other items gets its own list, so "1.0.X1" < "1.0-X2".
        if not pending_digits and current:
            current = []
            chain.append(current)
        current.append(_number(pending) if pending_digits else _word(pending, False))
    # Trailing nulls go from every list; a list left empty drops out of its parent, innermost
    # first, but an empty list that still leads to a non-empty one stays.
    for segment in chain:
        while segment and _sign(segment[-1]) == 0:
            segment.pop()
    while len(chain) > 1 and not chain[-1]:
        chain.pop()
    return chain


def _sign(token: Token) -> int:
    """How an item compares with a missing one: Maven's ``compareTo(null)``."""
    kind = token[0]
    if kind == _NUMBER:
        return 1 if token[2] else 0
    if kind == _WORD:
        rank: int = token[1]
        return (rank > _RELEASE) - (rank < _RELEASE)
    return 0


def _rest_sign(tokens: tuple[Token, ...], start: int) -> int:
    # Normalisation guarantees a non-null item at the end, so this never falls through to 0.
    for i in range(start, len(tokens)):
        sign = _sign(tokens[i])
        if sign:
            return sign
    return 0


def _int_token(value: int) -> Token:
    return _SMALL[value] if value < len(_SMALL) else (_NUMBER, 0, value)


def _number(run: str) -> Token:
    stripped = run.lstrip("0") or run
    width = len(stripped)
    if width <= 9:
        return _int_token(int(stripped))
    if width <= 18:
        return (_NUMBER, 1, int(stripped))
    # BigInteger territory: compare by digit count then digits, no int() size limit involved.
    ascii_digits = run if run.isascii() else "".join(str(unicodedata.digit(c)) for c in run)
    significant = ascii_digits.lstrip("0")
    return (_NUMBER, 2, len(significant), significant)


def _word(run: str, followed_by_digit: bool) -> Token:
    if followed_by_digit and run in _SHORT:
        run = _SHORT[run]
    value = _ALIASES.get(run, run)
    rank = _KNOWN.get(value)
    if rank is not None:
        return _KNOWN_TOKENS[rank]
    return (_WORD, _UNKNOWN, _utf16_order(value))


def _shown(token: Token) -> str:
    kind = token[0]
    if kind == _NUMBER:
        return (token[3] or "0") if token[1] == 2 else str(token[2])
    if token[1] == _UNKNOWN:
        text: str = token[2]
        return text.encode("utf-16-be", "surrogatepass").decode("utf-16-be", "surrogatepass")
    return _NAMES[token[1]]


def _utf16_order(text: str) -> str:
    """A string whose code-point order is ``text``'s UTF-16 order (Java's String order)."""
    if text.isascii() or max(text) <= "\uffff":
        return text
    units = text.encode("utf-16-be", "surrogatepass")
    return "".join(chr(int.from_bytes(units[i : i + 2], "big")) for i in range(0, len(units), 2))


_PLAIN = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,9})*")
_SMALL = [(_NUMBER, 0, value) for value in range(256)]
_ZERO = _SMALL[0]
_NAMES = sorted(_KNOWN, key=_KNOWN.__getitem__)
_KNOWN_TOKENS = [(_WORD, rank, "") for rank in range(len(_NAMES))]

SCHEME = VersionScheme("maven", parse)
