"""The match entry: what a matcher needs of one ``affected`` entry, stored beside its index row.

Deciding a version needs an entry's ranges (type and events) and its listed versions, nothing
else; validating the whole OSV record into the domain model to get them costs about a hundred
times more than reading them. So the store writes this compact form at build time, next to the
index row that finds the entry, and a lookup hands it back in the same query.

Listed versions are kept only where the ranges do not already cover them. A matcher looks at
the list only after every range said no, and a version equal (under the entry's scheme) to a
listed version that a range of that same scheme includes is included by that range too; so the
versions left out could never decide anything, and reading them was the bulk of a cold lookup
of a PyPI entry (hundreds of versions, each parsed). Versions that do not parse, and every
version of an entry whose ranges cannot be compiled, are kept.

The form is text split by control characters no version contains: ranges and listed versions
apart by GS (0x1D), ranges (and versions) by RS (0x1E), a range's type letter and its events by
US (0x1F), each event a kind letter and its version (``E\x1fi0\x1ff1.2\x1d`` is one ECOSYSTEM
range, introduced 0, fixed 1.2, and no listed version). Splitting such text is several times
cheaper than decoding JSON, and a cold lookup decodes one form per candidate entry. Every range
is kept, in the record's order, so positions still name the record's ranges; a ``GIT`` range
keeps its type only (matching skips it, and commit hashes are the bulk of such ranges). An entry
whose versions hold one of those characters (or is an empty listed version) is written as JSON,
``[[[type, [[kind, value], ...]], ...], [version, ...]]``, which reading tells by its ``[``.
Long forms (the hundreds of versions some entries list) are deflated and stored as a blob.

Reading checks the shape strictly and raises ``StoreError`` for anything else: a store file may
come from elsewhere (a bundle), and a damaged entry must become a warning, never a crash.
"""

from __future__ import annotations

import json
import zlib
from typing import Any, NamedTuple

from vigil.advisories.errors import StoreError
from vigil.domain import Affected
from vigil.versions import UnsupportedEcosystem, compile_affected

_DEFLATE_FROM = 1024  # bytes of JSON; below this, inflating costs more than it saves
_RAW_DEFLATE = -15
_RANGE_TYPES = frozenset({"ECOSYSTEM", "SEMVER", "GIT"})
_EVENT_KINDS = frozenset({"introduced", "fixed", "last_affected", "limit"})
_GS, _RS, _US = "\x1d", "\x1e", "\x1f"
_SEPARATORS = frozenset((_GS, _RS, _US))
_TYPES = {"E": "ECOSYSTEM", "S": "SEMVER", "G": "GIT"}
_KINDS = {"i": "introduced", "f": "fixed", "l": "last_affected", "m": "limit"}
_TYPE_LETTERS = {name: letter for letter, name in _TYPES.items()}
_KIND_LETTERS = {name: letter for letter, name in _KINDS.items()}

Events = tuple[tuple[str, str], ...]


class MatchEntry(NamedTuple):
    """``ranges`` as ``(type, events)`` in the record's order (``GIT`` ones with no events);
    ``versions``: the listed versions the ranges do not cover, in the record's order."""

    ranges: tuple[tuple[str, Events], ...]
    versions: tuple[str, ...]

    @classmethod
    def of(cls, ecosystem: str, affected: Affected) -> MatchEntry:
        ranges = tuple(
            (rng.type, () if rng.type == "GIT" else tuple((e.kind, e.value) for e in rng.events))
            for rng in affected.ranges
        )
        return cls(ranges, uncovered(ecosystem, affected))


def uncovered(ecosystem: str, affected: Affected) -> tuple[str, ...]:
    """The listed versions that no range of the entry's own scheme includes (see above)."""
    if not affected.versions or not affected.ranges:
        return affected.versions
    try:
        compiled = compile_affected(ecosystem, affected)
    except (ValueError, UnsupportedEcosystem):  # InvalidVersion is a ValueError
        return affected.versions
    scheme = compiled.scheme
    own = [rng for rng in compiled.ranges if rng.scheme is scheme]
    if not own:
        return affected.versions
    kept = []
    for text in affected.versions:
        try:
            key = scheme.parse(text)
        except ValueError:
            kept.append(text)
            continue
        if not any(rng.includes(key) for rng in own):
            kept.append(text)
    return tuple(kept)


def pack(entry: MatchEntry) -> str | bytes:
    text = _as_text(entry)
    if text is None:
        text = json.dumps([entry.ranges, entry.versions], separators=(",", ":"), ensure_ascii=False)
    if len(text) < _DEFLATE_FROM:
        return text
    packer = zlib.compressobj(1, zlib.DEFLATED, _RAW_DEFLATE)
    return packer.compress(text.encode()) + packer.flush()


def unpack(data: object) -> MatchEntry:
    """The stored form back; ``StoreError`` if it is not what ``pack`` writes."""
    try:
        if isinstance(data, bytes):
            data = zlib.decompress(data, _RAW_DEFLATE).decode()
        if not isinstance(data, str):
            raise ValueError(f"a {type(data).__name__}, not text or a blob")
        if data[:1] == "[":
            ranges, versions = json.loads(data)
            return MatchEntry(tuple([_range(r) for r in ranges]), _strings(versions))
        head, separator, tail = data.partition(_GS)
        if not separator:
            raise ValueError("no group separator")
        return MatchEntry(
            tuple([_text_range(r) for r in head.split(_RS)]) if head else (),
            tuple(tail.split(_RS)) if tail else (),
        )
    except (ValueError, TypeError, KeyError, IndexError, zlib.error) as exc:
        raise StoreError(f"damaged match entry: {exc!r:.200}") from None


def _as_text(entry: MatchEntry) -> str | None:
    values = [v for _, events in entry.ranges for _, v in events]
    if any(_SEPARATORS.intersection(v) for v in (*values, *entry.versions)) or "" in entry.versions:
        return None
    ranges = _RS.join(
        _US.join((_TYPE_LETTERS[kind], *(_KIND_LETTERS[k] + v for k, v in events)))
        for kind, events in entry.ranges
    )
    return ranges + _GS + _RS.join(entry.versions)


def _text_range(text: str) -> tuple[str, Events]:
    kind, *events = text.split(_US)
    return _TYPES[kind], tuple([(_KINDS[event[0]], event[1:]) for event in events])


def _range(item: Any) -> tuple[str, Events]:
    kind, events = item
    if kind not in _RANGE_TYPES or not isinstance(events, list):
        raise ValueError(f"unexpected range {item!r:.80}")
    out = []
    for event in events:
        event_kind, value = event
        if event_kind not in _EVENT_KINDS or not isinstance(value, str):
            raise ValueError(f"unexpected event {event!r:.80}")
        out.append((event_kind, value))
    return kind, tuple(out)


def _strings(items: Any) -> tuple[str, ...]:
    if items == []:  # nearly always: ranges cover the listed versions
        return ()
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError("the versions are not a list of strings")
    return tuple(items)
