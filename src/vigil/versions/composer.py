"""Packagist versions: composer/semver's ``VersionParser::normalize``, then ``version_compare``.

Accepted input is exactly what ``normalize`` accepts; anything else raises ``InvalidVersion``:

- surrounding spaces, tabs, newlines, NUL and vertical tabs are trimmed;
- ``X as Y`` (an inline alias) keeps ``X``; a trailing ``@stable``/``@RC``/``@beta``/``@alpha``/
  ``@dev`` flag is dropped;
- ``master``, ``trunk``, ``default`` and anything starting with ``dev-`` (any case) are branches,
  normalised to ``dev-<name>``;
- ``+build`` metadata is dropped;
- classic versions: an optional ``v``, a major of 1-5 digits and up to three more ``.N`` parts,
  then an optional stability (``[._-]?`` then ``stable|beta|b|RC|alpha|a|patch|pl|p``, any case,
  with optional ``[.-]?N`` numbers) and an optional ``[.-]?dev``; padded to four parts
  (``1.2`` -> ``1.2.0.0``, ``1.0b2`` -> ``1.0.0.0-beta2``);
- date versions: ``YYYY`` then 1-6 ``[.:-]?DD`` groups and up to two ``[.:-]?D{1,3}``
  groups, with the same modifiers (``2010-01-02`` -> ``2010.01.02``);
- numeric branches ending in ``[.-]dev`` with up to four parts, ``x``/``X``/``*`` allowed
  after the first (``1.x-dev`` -> ``1.9999999.9999999.9999999-dev``).

Order is ``version_compare`` on the normalised strings: split into runs of digits and of
letters; numbers compare as C longs; words by their special form only (any word starting with
``dev`` < ``a*`` < ``b*`` < ``RC``/``rc`` < number < ``p*``; other words rank below ``dev``); a
version that runs out is below a following number or ``p*`` word and above any other word.

Composer treats two different branches as incomparable, which a total order cannot say: here they
are ordered by ``version_compare`` and then by name, so only identical branches are equal. Where
``version_compare`` itself is not an order (branch names that end in punctuation, or words
starting with ``#``), the key picks a consistent answer instead.
"""

from __future__ import annotations

import re
from typing import Any

from vigil.versions.scheme import InvalidVersion, VersionScheme

_I = re.IGNORECASE | re.ASCII
_MODIFIER = r"[._-]?(?:(stable|beta|b|RC|alpha|a|patch|pl|p)((?:[.-]?\d+)*+)?)?([.-]?dev)?"
_ALIAS = re.compile(r"^([^,\s]++) ++as ++([^,\s]++)$", re.ASCII)
_FLAG = re.compile(r"@(?:stable|RC|beta|alpha|dev)$", _I)
_METADATA = re.compile(r"^([^,\s+]++)\+[^\s]++$", re.ASCII)
_CLASSIC = re.compile(r"^v?(\d{1,5}+)(\.\d++)?(\.\d++)?(\.\d++)?" + _MODIFIER + "$", _I)
_DATE = re.compile(r"^v?(\d{4}(?:[.:-]?\d{2}){1,6}(?:[.:-]?\d{1,3}){0,2})" + _MODIFIER + "$", _I)
_NUMERIC_BRANCH = re.compile(
    r"^v?(\d++)(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?(\.(?:\d++|[xX*]))?$", _I
)
_NON_DIGIT = re.compile(r"\D", re.ASCII)
_PHP_TRIM = " \t\n\r\0\x0b"
_STABILITY = {"a": "alpha", "b": "beta", "p": "patch", "pl": "patch", "rc": "RC"}

# version_compare element ranks as ints: words below the end of a version, numbers above it.
_LONG_MAX = 2**63 - 1
_EMPTY = -20  # an empty last element (a branch ending in punctuation)
_WORD_OFFSET = -10  # words ranked -1 (unknown) to 3 (RC) map to -11 .. -7
_END = -3
_HASH_WORD = -2  # "#..." words, which version_compare calls equal to every number
_PATCH_WORD = _LONG_MAX + 1
_PLAIN = re.compile(r"[0-9]+|[A-Za-z]+")
_PLAIN_VERSION = re.compile(r"[0-9]{1,5}(?:\.[0-9]{1,18}){0,3}")
_ALNUM = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def parse(version: str) -> tuple[Any, ...]:
    """The sort key of ``version``; raises ``InvalidVersion`` where ``normalize`` would throw."""
    if _PLAIN_VERSION.fullmatch(version):
        # "1.2.3" normalises to "1.2.3.0": its numbers padded to four, nothing else.
        numbers = [int(part) for part in version.split(".")]
        return (*numbers, *(0,) * (4 - len(numbers)), _END, "")
    normalized = normalize(version)
    branch = normalized.startswith("dev-")
    if branch:
        ranks = [_rank(element) for element in _php_elements(normalized)]
    else:
        ranks = [_rank(element) for element in _PLAIN.findall(normalized)]
    ranks.append(_END)
    return (*ranks, normalized if branch else "")


def normalize(version: str) -> str:
    """composer/semver's ``VersionParser::normalize``."""
    text = version.strip(_PHP_TRIM)
    alias = _ALIAS.search(text)
    if alias:
        text = alias[1]
    flag = _FLAG.search(text)
    if flag:
        text = text[: flag.start()]
    if text in ("master", "trunk", "default"):
        text = "dev-" + text
    if text[:4].isascii() and text[:4].lower() == "dev-":
        return "dev-" + text[4:]
    metadata = _METADATA.search(text)
    if metadata:
        text = metadata[1]
    classic = _CLASSIC.search(text)
    if classic:
        major, *rest = classic.group(1, 2, 3, 4)
        numbers = major + "".join(part or ".0" for part in rest)
        return _with_modifiers(numbers, *classic.group(5, 6, 7))
    date = _DATE.search(text)
    if date:
        return _with_modifiers(_NON_DIGIT.sub(".", date[1]), *date.group(2, 3, 4))
    name = _before_dev_suffix(text)
    if name is not None:
        branch = _numeric_branch(name)
        if branch:
            return branch
    raise InvalidVersion("composer", version, "not a version Composer can normalise")


def _with_modifiers(numbers: str, stability: str | None, extra: str | None, dev: str | None) -> str:
    if stability:
        if stability == "stable":
            return numbers
        lowered = stability.lower()
        numbers += "-" + _STABILITY.get(lowered, lowered) + (extra or "").lstrip(".-")
    if dev:
        numbers += "-dev"
    return numbers


def _before_dev_suffix(text: str) -> str | None:
    """Group 1 of ``preg_match('{(.*?)[.-]?dev$}i')``, found in linear time.

    The pattern is unanchored, so PCRE (and Python's re) retry it from every start: quadratic
    on long input. It matches only when ``dev`` ends the text (or precedes a final newline);
    the leftmost start is just after the last newline before it (``.`` stops at newlines).
    """
    end = len(text) - 1 if text.endswith("\n") else len(text)
    suffix = text[end - 3 : end]
    if end < 3 or not suffix.isascii() or suffix.lower() != "dev":
        return None
    stop = end - 3
    start = text.rfind("\n", 0, stop) + 1
    if stop > start and text[stop - 1] in ".-":
        stop -= 1
    return text[start:stop]


def _numeric_branch(name: str) -> str | None:
    match = _NUMERIC_BRANCH.search(name.strip(_PHP_TRIM))
    if not match:
        return None
    parts = "".join(
        part.replace("*", "x").replace("X", "x") if part else ".x"
        for part in match.group(1, 2, 3, 4)
    )
    return parts.replace("x", "9999999") + "-dev"


def _rank(element: str) -> int:
    """One version_compare element as an int, ordered as version_compare orders elements."""
    if not element:
        return _EMPTY
    if "0" <= element[0] <= "9":
        digits = element.lstrip("0")
        # strtol saturates: every number past LONG_MAX reads as LONG_MAX.
        return _LONG_MAX if len(digits) > 19 else min(int(digits or "0"), _LONG_MAX)
    return _word_rank(element)


def _word_rank(word: str) -> int:
    # version_compare's special forms, matched as prefixes in this order.
    if word.startswith("dev"):
        return _WORD_OFFSET + 0
    if word[0] == "a":
        return _WORD_OFFSET + 1
    if word[0] == "b":
        return _WORD_OFFSET + 2
    if word.startswith(("RC", "rc")):
        return _WORD_OFFSET + 3
    if word[0] == "#":
        return _HASH_WORD
    if word[0] == "p":
        return _PATCH_WORD
    return _WORD_OFFSET - 1


def _php_elements(text: str) -> list[str]:
    """PHP's ``php_canonicalize_version`` on the UTF-8 bytes, split at dots (bytes as latin-1)."""
    # Only ASCII matters below (every other byte is a separator), so any surrogate will do.
    data = text.encode("utf-8", "surrogatepass")
    if not data:
        return []
    out = bytearray(data[:1])
    previous = data[0]
    for byte in data[1:]:
        dot_last = out[-1] == 0x2E
        if byte in b"-_+":
            if not dot_last:
                out.append(0x2E)
        elif _is_digit(previous) != _is_digit(byte) and previous != 0x2E and byte != 0x2E:
            # A digit/non-digit transition: insert a dot but keep the character itself.
            if not dot_last:
                out.append(0x2E)
            out.append(byte)
        elif byte not in _ALNUM:
            if not dot_last:
                out.append(0x2E)
        else:
            out.append(byte)
        previous = byte
    return out.decode("latin-1").split(".")


def _is_digit(byte: int) -> bool:
    return 0x30 <= byte <= 0x39


SCHEME = VersionScheme("composer", parse)
