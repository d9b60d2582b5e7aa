"""npm versions and ranges with node-semver 7.x semantics (labels: node-semver 7.8.6).

The ecosystem scheme is strict, as node-semver's own ``compare`` is by default: OSV/GHSA npm
records and the ``version`` field of installed ``package.json`` files (written from registry
manifests, which npm normalises on publish) are strict versions, and strict still accepts what
those sources really carry (a ``v`` prefix, surrounding whitespace). Loose mode (``=1.2.3``,
``1.2.3beta``, leading zeros) stays available through the ``loose`` keyword.

As in node-semver, versions longer than 256 characters or with a major, minor or patch above
``Number.MAX_SAFE_INTEGER`` are invalid. Numeric prerelease identifiers compare by their value as
a JavaScript number, as node-semver does, so huge ones lose precision the same way. Two known,
deliberate differences: when two such identifiers are distinct digit strings with the same
double value, node stops comparing there and answers "equal" (which makes its order intransitive)
while these keys go on to the next identifier; and ranges longer than ``MAX_RANGE_LENGTH`` are
treated as invalid (unsatisfiable) to bound regex work on hostile input.

Ranges are evaluated by rewriting them into primitive comparators with the same regular
expressions and in the same order as node-semver's ``Range`` (hyphen ranges, comparator
whitespace, tilde, caret, x-ranges, stars, ``>=0.0.0``), because much of the grammar's behaviour
on odd input lives in those rewrites rather than in any written rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from vigil.versions.scheme import InvalidVersion, VersionScheme, compare_keys
from vigil.versions.semver import NUMBERS

MAX_LENGTH = 256
MAX_SAFE_INTEGER = 2**53 - 1
# node-semver has no limit on ranges; this bound keeps regex work on hostile input small.
MAX_RANGE_LENGTH = 1024

Key = tuple[int | float | str, ...]

# JavaScript's \s and String.prototype.trim() set, which differs from Python's str.isspace().
JS_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    map(chr, range(0x2000, 0x200B))
)
_S = f"[{JS_SPACE}]"

# node-semver's "safe" regular expressions: the same grammar with bounded repetitions.
_NUM = r"0|[1-9][0-9]{0,256}"
_NUM_LOOSE = r"[0-9]{1,256}"
_NONNUM = r"[0-9]{0,256}[a-zA-Z-][a-zA-Z0-9-]{0,250}"
_PRE_ID = rf"(?:{_NONNUM}|{_NUM})"
_PRE_ID_LOOSE = rf"(?:{_NONNUM}|{_NUM_LOOSE})"
_PRE = rf"(?:-({_PRE_ID}(?:\.{_PRE_ID})*))"
_PRE_LOOSE = rf"(?:-?({_PRE_ID_LOOSE}(?:\.{_PRE_ID_LOOSE})*))"
_BUILD = r"(?:\+([a-zA-Z0-9-]{1,250}(?:\.[a-zA-Z0-9-]{1,250})*))"
_FULL_PLAIN = rf"v?({_NUM})\.({_NUM})\.({_NUM}){_PRE}?{_BUILD}?"
_LOOSE_PLAIN = (
    rf"[v={JS_SPACE}]*({_NUM_LOOSE})\.({_NUM_LOOSE})\.({_NUM_LOOSE}){_PRE_LOOSE}?{_BUILD}?"
)
_GTLT = r"((?:<|>)?=?)"


def _xrange_plain(num: str, pre: str) -> str:
    ident = rf"{num}|x|X|\*"
    return rf"[v={JS_SPACE}]*({ident})(?:\.({ident})(?:\.({ident})(?:{pre})?{_BUILD}?)?)?"


_XR = _xrange_plain(_NUM, _PRE)
_XR_LOOSE = _xrange_plain(_NUM_LOOSE, _PRE_LOOSE)


def _pair(strict: str, loose: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    return re.compile(strict), re.compile(loose)


_FULL = _pair(_FULL_PLAIN, _LOOSE_PLAIN)  # fullmatch = node's ^...$
_COMPARATOR = _pair(rf"{_GTLT}{_S}?({_FULL_PLAIN})|", rf"{_GTLT}{_S}?({_LOOSE_PLAIN})|")
_HYPHEN = _pair(
    rf"{_S}?({_XR}){_S}-{_S}({_XR}){_S}?", rf"{_S}?({_XR_LOOSE}){_S}-{_S}({_XR_LOOSE}){_S}?"
)
_TILDE = _pair(rf"~>?{_XR}", rf"~>?{_XR_LOOSE}")
_CARET = _pair(rf"\^{_XR}", rf"\^{_XR_LOOSE}")
_XRANGE = _pair(rf"{_GTLT}{_S}?{_XR}", rf"{_GTLT}{_S}?{_XR_LOOSE}")
_GTE0 = _pair(rf"{_S}?>={_S}?0\.0\.0{_S}?", rf"{_S}?>={_S}?0\.0\.0-0{_S}?")  # by includePrerelease
_COMPARATOR_TRIM = re.compile(rf"({_S}?){_GTLT}{_S}?({_LOOSE_PLAIN}|{_XR})")
_TILDE_TRIM = re.compile(rf"({_S}?)~>?{_S}")
_CARET_TRIM = re.compile(rf"({_S}?)\^{_S}")
_STAR = re.compile(rf"(<|>)?=?{_S}?\*")
_BUILD_ONE = re.compile(_BUILD)
_BUILD_ALL = re.compile(r"\+[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*")
_SPACES = re.compile(f"{_S}+")


def _js_trim(text: str) -> str:
    return text.strip(JS_SPACE)


def parse(version: str, *, loose: bool = False) -> Key:
    """The sort key of an npm version (layout as in ``vigil.versions.semver``)."""
    if len(version) > MAX_LENGTH:
        raise InvalidVersion("npm", version[:64] + "...", f"longer than {MAX_LENGTH} characters")
    m = _FULL[loose].fullmatch(version.strip(JS_SPACE))
    if m is None:
        raise InvalidVersion("npm", version, "Invalid Version")
    major, minor, patch, pre = m.group(1, 2, 3, 4)
    major, minor, patch = NUMBERS[major], NUMBERS[minor], NUMBERS[patch]
    if major > MAX_SAFE_INTEGER or minor > MAX_SAFE_INTEGER or patch > MAX_SAFE_INTEGER:
        raise InvalidVersion("npm", version, "number above MAX_SAFE_INTEGER")
    if not pre:
        return (major, minor, patch, 1)
    key: list[int | float | str] = [major, minor, patch, 0]
    for ident in pre.split("."):
        if ident.isdigit():
            # node compares digit-only identifiers as JavaScript numbers (doubles).
            number = NUMBERS[ident]
            key += (0, number if number < MAX_SAFE_INTEGER else float(ident))
        else:
            key += (1, ident)
    return tuple(key)


def compare(a: str, b: str, *, loose: bool = False) -> int:
    """node-semver ``compare(a, b, loose)``: -1, 0 or 1."""
    return compare_keys(parse(a, loose=loose), parse(b, loose=loose))


SCHEME = VersionScheme("npm", parse)


@dataclass(frozen=True, slots=True)
class _Comparator:
    op: str  # "", "<", "<=", ">", ">="; ANY comparators are dropped from sets
    key: Key

    def test(self, key: Key) -> bool:
        c = compare_keys(key, self.key)
        if self.op == "":
            return c == 0
        if self.op == ">":
            return c > 0
        if self.op == ">=":
            return c >= 0
        if self.op == "<":
            return c < 0
        return c <= 0


_ComparatorSet = tuple[_Comparator, ...]  # empty: the "any version" set


def satisfies(
    version: str, range: str, *, loose: bool = False, include_prerelease: bool = False
) -> bool:
    """node-semver ``satisfies``: False for an invalid version or range, as node returns."""
    sets = _compile(range, loose, include_prerelease)
    if sets is None or not version:
        return False
    try:
        key = parse(version, loose=loose)
    except InvalidVersion:
        return False
    return any(_test_set(s, key, include_prerelease) for s in sets)


def _test_set(comparators: _ComparatorSet, key: Key, include_prerelease: bool) -> bool:
    if not all(c.test(key) for c in comparators):
        return False
    if key[3] == 1 or include_prerelease:
        return True
    # A prerelease only matches through a comparator naming a prerelease of the same x.y.z.
    return any(c.key[3] == 0 and c.key[:3] == key[:3] for c in comparators)


@lru_cache(maxsize=4096)
def _compile(range: str, loose: bool, incpre: bool) -> tuple[_ComparatorSet, ...] | None:
    """The comparator sets of a range, or None when node-semver would throw."""
    if len(range) > MAX_RANGE_LENGTH:
        return None
    raw = _SPACES.sub(" ", _js_trim(range))
    try:
        parsed = [_parse_set(part.strip(" "), loose, incpre) for part in raw.split("||")]
    except InvalidVersion:
        return None
    sets = [s for s in parsed if s is not None]
    if not sets:
        return None
    if len(sets) > 1:
        real = [s for s in sets if not _is_null_set(s)]
        sets = real or sets[:1]
        sets = next(([s] for s in sets if not s), sets) if len(sets) > 1 else sets
    return tuple(sets)


_NULL_KEY: Key = (0, 0, 0, 0, 0, 0)  # 0.0.0-0, the lowest version there is


def _is_null(c: _Comparator) -> bool:
    """node's null set ``<0.0.0-0``, which nothing satisfies."""
    return c.op == "<" and c.key == _NULL_KEY


def _is_null_set(s: _ComparatorSet) -> bool:
    return len(s) == 1 and _is_null(s[0])


def _parse_set(text: str, loose: bool, incpre: bool) -> _ComparatorSet | None:
    """One ``||`` alternative; None when loose mode filtered every comparator away."""
    text = _BUILD_ALL.sub("", text)
    text = _sub_full(_HYPHEN[loose], text, lambda m: _hyphen(m, incpre))
    text = _COMPARATOR_TRIM.sub(r"\1\2\3", text)
    text = _TILDE_TRIM.sub(r"\1~", text)
    text = _CARET_TRIM.sub(r"\1^", text)
    rewritten = " ".join(_rewrite(piece, loose, incpre) for piece in text.split(" "))
    pieces = [_drop_gte0(_js_trim(p), incpre) for p in _SPACES.split(rewritten)]
    if loose:
        pieces = [p for p in pieces if _COMPARATOR[True].fullmatch(p)]
        if not pieces:
            return None
    comparators = [_comparator(p, loose) for p in pieces]
    real = tuple(c for c in comparators if c is not None)
    return next(((c,) for c in real if _is_null(c)), real)


def _drop_gte0(piece: str, incpre: bool) -> str:
    """``>=0.0.0`` (``>=0.0.0-0`` with include_prerelease) means any version."""
    return "" if _GTE0[incpre].fullmatch(piece) else piece


def _comparator(text: str, loose: bool) -> _Comparator | None:
    """A primitive comparator, or None for ANY; raises InvalidVersion like node throws."""
    text = " ".join(_SPACES.split(_js_trim(text)))
    m = _COMPARATOR[loose].fullmatch(text)
    if m is None:
        raise InvalidVersion("npm", text, "Invalid comparator")
    if not m[2]:
        return None
    op = m[1] or ""
    return _Comparator("" if op == "=" else op, parse(m[2], loose=loose))


def _sub_full(pattern: re.Pattern[str], text: str, fn: Callable[[re.Match[str]], str]) -> str:
    """``text.replace(/^...$/, fn)``: the whole text or nothing."""
    m = pattern.fullmatch(text)
    return text if m is None else fn(m)


def _rewrite(comp: str, loose: bool, incpre: bool) -> str:
    """node-semver's parseComparator: strip build, then carets, tildes, x-ranges, stars."""
    comp = _BUILD_ONE.sub("", comp, count=1)
    z = "-0" if incpre else ""
    parts = _SPACES.split(_js_trim(comp))
    comp = " ".join(_sub_full(_CARET[loose], c, lambda m: _caret(m, z)) for c in parts)
    parts = _SPACES.split(_js_trim(comp))
    comp = " ".join(_sub_full(_TILDE[loose], c, lambda m: _tilde(m, z)) for c in parts)
    comp = " ".join(_xrange(_js_trim(c), loose, incpre) for c in _SPACES.split(comp))
    return _STAR.sub("", _js_trim(comp), count=1)


def _is_x(part: str | None) -> bool:
    return not part or part in ("x", "X", "*")


def _inc(number: str | int) -> str:
    """``String(+number + 1)`` as JavaScript prints it."""
    value = int(number) + 1
    if value <= 2**53:
        return str(value)
    as_double = float(int(number)) + 1
    return str(int(Decimal(repr(as_double)))) if as_double < 1e21 else repr(as_double)


def _caret(m: re.Match[str], z: str) -> str:
    major, minor, patch, pre = m[1], m[2], m[3], m[4]
    if _is_x(major):
        return ""
    if _is_x(minor):
        return f">={major}.0.0{z} <{_inc(major)}.0.0-0"
    if _is_x(patch):
        if major == "0":
            return f">={major}.{minor}.0{z} <{major}.{_inc(minor)}.0-0"
        return f">={major}.{minor}.0{z} <{_inc(major)}.0.0-0"
    low = f">={major}.{minor}.{patch}-{pre}" if pre else f">={major}.{minor}.{patch}"
    if major != "0":
        return f"{low} <{_inc(major)}.0.0-0"
    if minor != "0":
        return f"{low} <{major}.{_inc(minor)}.0-0"
    return f"{low} <{major}.{minor}.{_inc(patch)}-0"


def _tilde(m: re.Match[str], z: str) -> str:
    major, minor, patch, pre = m[1], m[2], m[3], m[4]
    if _is_x(major):
        return ""
    if _is_x(minor):
        return f">={major}.0.0{z} <{_inc(major)}.0.0-0"
    if _is_x(patch):
        return f">={major}.{minor}.0{z} <{major}.{_inc(minor)}.0-0"
    low = f">={major}.{minor}.{patch}-{pre}" if pre else f">={major}.{minor}.{patch}"
    return f"{low} <{major}.{_inc(minor)}.0-0"


def _xrange(comp: str, loose: bool, incpre: bool) -> str:
    m = _XRANGE[loose].fullmatch(comp)
    if m is None:
        return comp
    gtlt, major, minor, patch = m[1], m[2], m[3], m[4]
    if (_is_x(major) and not _is_x(minor)) or (_is_x(minor) and patch and not _is_x(patch)):
        return comp  # node 7.8 leaves out-of-order wildcards such as 1.x.2 alone
    x_major = _is_x(major)
    x_minor = x_major or _is_x(minor)
    any_x = x_minor or _is_x(patch)
    if gtlt == "=" and any_x:
        gtlt = ""
    pr = "-0" if incpre else ""
    if x_major:
        return "<0.0.0-0" if gtlt in (">", "<") else "*"
    if gtlt and any_x:
        new_major, new_minor = major, "0" if x_minor else minor
        if gtlt == ">":
            gtlt = ">="
            if x_minor:
                new_major = _inc(major)
            else:
                new_minor = _inc(minor)
        elif gtlt == "<=":
            gtlt = "<"
            if x_minor:
                new_major = _inc(major)
            else:
                new_minor = _inc(minor)
        if gtlt == "<":
            pr = "-0"
        return f"{gtlt}{new_major}.{new_minor}.0{pr}"
    if x_minor:
        return f">={major}.0.0{pr} <{_inc(major)}.0.0-0"
    if any_x:
        return f">={major}.{minor}.0{pr} <{major}.{_inc(minor)}.0-0"
    return comp


def _hyphen(m: re.Match[str], incpre: bool) -> str:
    z = "-0" if incpre else ""
    start, f_major, f_minor, f_patch, f_pre = m[1], m[2], m[3], m[4], m[5]
    end, t_major, t_minor, t_patch, t_pre = m[7], m[8], m[9], m[10], m[11]
    if _is_x(f_major):
        low = ""
    elif _is_x(f_minor):
        low = f">={f_major}.0.0{z}"
    elif _is_x(f_patch):
        low = f">={f_major}.{f_minor}.0{z}"
    else:
        low = f">={start}" if f_pre else f">={start}{z}"
    if _is_x(t_major):
        high = ""
    elif _is_x(t_minor):
        high = f"<{_inc(t_major)}.0.0-0"
    elif _is_x(t_patch):
        high = f"<{t_major}.{_inc(t_minor)}.0-0"
    elif t_pre:
        high = f"<={t_major}.{t_minor}.{t_patch}-{t_pre}"
    elif incpre:
        high = f"<{t_major}.{t_minor}.{_inc(t_patch)}-0"
    else:
        high = f"<={end}"
    return _js_trim(f"{low} {high}")
