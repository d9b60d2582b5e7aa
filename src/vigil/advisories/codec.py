"""How one advisory becomes rows of the store, and back.

A record is kept as its OSV JSON as the domain model writes it (``Advisory`` ignores fields it
does not know, so those are not kept), minus ``modified``, which lives in its own column: the
digest of that JSON then changes only when the content does, so converted feeds that stamp every
record with the feed's time do not look modified on every sync.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import UTC, datetime
from typing import NamedTuple

from vigil.advisories.groups import Link, links_of
from vigil.advisories.normalize import index_key
from vigil.domain import Advisory

_LEVEL = 1  # records are small; higher levels gain little and cost a third more time


class IndexRow(NamedTuple):
    """One ``affected`` entry with a package: where a lookup finds the record."""

    ecosystem: str  # base name
    name: str  # normalised
    release: str
    entry: int  # its position in ``affected``


class EncodedRecord(NamedTuple):
    """A record ready for the store. Tuples, not dataclasses: they cross process boundaries
    when a large snapshot is parsed in workers, and tuples pickle several times faster."""

    id: str
    modified: str
    withdrawn: str | None
    digest: bytes
    doc: bytes
    rows: tuple[IndexRow, ...]
    links: tuple[Link, ...]


def timestamp(moment: datetime) -> str:
    """A fixed-width UTC form, so stored timestamps sort as text."""
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # an offset pushing year 1 below datetime.min
        moment = datetime.min.replace(tzinfo=UTC)
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def parse_timestamp(text: str) -> datetime:
    return datetime.fromisoformat(text)


def encode(advisory: Advisory) -> EncodedRecord:
    body = advisory.model_dump_json(exclude_none=True, exclude_defaults=True, exclude={"modified"})
    raw = body.encode()
    rows = []
    for index, entry in enumerate(advisory.affected):
        if entry.package is None:
            continue
        key = index_key(entry.package.ecosystem, entry.package.name)
        release = entry.package.ecosystem.partition(":")[2]
        rows.append(IndexRow(key.ecosystem, key.name, release, index))
    return EncodedRecord(
        id=advisory.id,
        modified=timestamp(advisory.modified),
        withdrawn=timestamp(advisory.withdrawn) if advisory.withdrawn else None,
        digest=hashlib.blake2b(raw, digest_size=16).digest(),
        doc=zlib.compress(raw, _LEVEL),
        rows=tuple(rows),
        links=links_of(advisory.id, advisory.aliases, advisory.upstream, advisory.related),
    )


def decode(doc: bytes, modified: str) -> Advisory:
    """The stored record as an ``Advisory``; validated again, so a damaged row cannot pass."""
    fields = json.loads(zlib.decompress(doc))
    fields["modified"] = parse_timestamp(modified)
    return Advisory.model_validate(fields)
