"""How one advisory becomes rows of the store, and back.

A record is kept as the OSV JSON it was read from, byte for byte (fields the domain model does
not know yet survive for a later version to read), deflated. When a source read a record from a
zip, the member's own deflate stream is stored as it is: an export of half a million records is
then not compressed a second time. Records whose bytes are not at hand are stored as the domain
model writes them.

The digest hashes the record as the domain model writes it, without ``modified``: it changes
with the content only, not with formatting, nor with a bare ``modified`` bump (converted feeds
stamp every record with the feed's time), so a re-sent record that did not change costs no
write and does not show up in a diff.

The ``modified`` column is authoritative: for a converted record without ``modified``, it holds
what the parser filled in, and decoding puts it back.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from datetime import UTC, datetime
from typing import NamedTuple

from vigil.advisories.groups import Link, links_of
from vigil.advisories.match_entry import MatchEntry, pack
from vigil.advisories.normalize import index_key
from vigil.domain import Advisory

_LEVEL = 1  # records are small; higher levels gain little and cost a third more time
_RAW_DEFLATE = -15  # zlib's wbits for a bare deflate stream, the form zip members use


class IndexRow(NamedTuple):
    """One ``affected`` entry with a package: where a lookup finds the record."""

    ecosystem: str  # base name
    name: str  # normalised
    release: str
    entry: int  # its position in ``affected``
    match: str | bytes  # the entry's ranges and versions, packed (match_entry.py)


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


def deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, _RAW_DEFLATE)
    return packer.compress(data) + packer.flush()


def inflate(doc: bytes) -> bytes:
    return zlib.decompress(doc, _RAW_DEFLATE)


def encode(
    advisory: Advisory, raw: bytes | None = None, deflated: bytes | None = None
) -> EncodedRecord:
    """Rows for ``advisory``; ``raw`` is the JSON it was parsed from, ``deflated`` that JSON as
    a bare deflate stream if one is at hand (a zip member's)."""
    content = advisory.model_dump_json(
        exclude_none=True, exclude_defaults=True, exclude={"modified"}
    ).encode()
    if raw is None:
        raw = advisory.model_dump_json(exclude_none=True, exclude_defaults=True).encode()
        deflated = None
    rows = []
    for index, entry in enumerate(advisory.affected):
        if entry.package is None:
            continue
        key = index_key(entry.package.ecosystem, entry.package.name)
        release = entry.package.ecosystem.partition(":")[2]
        rows.append(
            IndexRow(
                key.ecosystem,
                key.name,
                release,
                index,
                pack(MatchEntry.of(entry.package.ecosystem, entry)),
            )
        )
    return EncodedRecord(
        id=advisory.id,
        modified=timestamp(advisory.modified),
        withdrawn=timestamp(advisory.withdrawn) if advisory.withdrawn else None,
        digest=hashlib.blake2b(content, digest_size=16).digest(),
        doc=deflated if deflated is not None else deflate(raw),
        rows=tuple(rows),
        links=links_of(advisory.id, advisory.aliases, advisory.upstream, advisory.related),
    )


def decode(doc: bytes, modified: str) -> Advisory:
    """The stored record as an ``Advisory``; validated again, so a damaged row cannot pass."""
    fields = json.loads(inflate(doc))
    fields["modified"] = parse_timestamp(modified)
    return Advisory.model_validate(fields)
