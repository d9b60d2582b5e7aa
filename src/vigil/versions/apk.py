"""Alpine, Wolfi and Chainguard package versions, ordered and validated as apk-tools does.

The grammar is ``digits{.digits}[letter]{_suffix[digits]}[~hash][-rdigits]``: a letter is one of
``a``-``z``, a suffix is one of ``alpha beta pre rc`` (before the release) or ``cvs svn git hg p``
(after it), the commit hash is lowercase hex. apk compares the versions token by token; when the
token kinds differ, a pre-release suffix is lower, and otherwise the version whose next token
comes later in the grammar (ending first of all) is lower, so ``1.0 < 1.0-r1 < 1.0.1`` and
``1.0_rc1 < 1.0 < 1.0_p1``. Numbers are unsigned 64-bit values as in apk (they wrap), except that
a dotted number with a leading zero makes that pair compare as strings (``1.05 < 1.1 < 1.5``).

Each token becomes a (rank, value) pair in one flat tuple, the ranks ordered so that tuple order
is apk's order.
"""

from __future__ import annotations

import re

from vigil.versions.scheme import InvalidVersion, VersionScheme

_NAME = "apk"

_SUFFIX = "alpha|beta|pre|rc|cvs|svn|git|hg|p"
_VERSION = re.compile(
    r"([0-9]+)"  # the first number
    r"((?:\.[0-9]+)*)"  # dotted numbers
    r"([a-z]?)"  # a letter
    rf"((?:_(?:{_SUFFIX})(?![a-z])[0-9]*)*)"  # suffixes, each with an optional number
    r"(?:~([0-9a-f]+))?"  # a commit hash
    r"(?:-r([0-9]+))?"  # the package revision
)
_SUFFIXES = re.compile(r"_([a-z]+)([0-9]*)")

# Ranks: when two tokens differ in kind, the lower rank is the lower version.
_PRE_SUFFIX = 0
_END = 1
_REVISION = 2
_HASH = 3
_SUFFIX_NUMBER = 4
_POST_SUFFIX = 5
_LETTER = 6
_ZERO_LED_NUMBER = 7  # compared as a string with any other number in its place
_NUMBER = 8
_FIRST_NUMBER = 9

_SUFFIX_RANKS = {
    name: (_PRE_SUFFIX if index < 4 else _POST_SUFFIX, index)
    for index, name in enumerate(_SUFFIX.split("|"))
}
_U64 = 2**64 - 1


def _u64(digits: str) -> int:
    """The value apk reads: decimal digits accumulated in an unsigned 64-bit integer."""
    if len(digits) < 20:
        return int(digits)
    value = 0
    for start in range(0, len(digits), 18):
        chunk = digits[start : start + 18]
        value = (value * 10 ** len(chunk) + int(chunk)) & _U64
    return value


def parse(version: str) -> tuple[int | str, ...]:
    """The sort key of a version apk accepts; anything else raises ``InvalidVersion``."""
    match = _VERSION.fullmatch(version)
    if match is None:
        raise InvalidVersion(_NAME, version, "not a valid apk version")
    first, dotted, letter, suffixes, commit, revision = match.groups()
    key: list[int | str] = [_FIRST_NUMBER, _u64(first)]
    if dotted:
        for number in dotted[1:].split("."):
            if number[0] == "0":
                key += (_ZERO_LED_NUMBER, number)
            else:
                key += (_NUMBER, _u64(number))
    if letter:
        key += (_LETTER, letter)
    if suffixes:
        for name, number in _SUFFIXES.findall(suffixes):
            key += _SUFFIX_RANKS[name]
            if number:
                key += (_SUFFIX_NUMBER, _u64(number))
    if commit:
        key += (_HASH, commit)
    if revision:
        key += (_REVISION, _u64(revision))
    key.append(_END)
    return tuple(key)


def is_valid(version: str) -> bool:
    """Whether apk-tools' ``apk_version_validate`` accepts the string."""
    return _VERSION.fullmatch(version) is not None


SCHEME = VersionScheme(_NAME, parse)
