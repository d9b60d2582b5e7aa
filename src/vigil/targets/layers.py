"""One image layer as a source of tar members, read once, verified against its digests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType

from vigil.targets.decoders import decompressed
from vigil.targets.errors import CorruptArchive
from vigil.targets.spill import Readable
from vigil.targets.streams import Budget, Meter, Source
from vigil.targets.tarstream import Member
from vigil.targets.tarstream import members as tar_members


@dataclass(frozen=True, slots=True)
class LayerSource:
    """Where a layer's bytes come from and what they must hash to.

    ``raw_digest``/``raw_size`` describe the blob as stored (possibly compressed, as in an OCI
    manifest); ``diff_id`` is the digest of the uncompressed tar (docker's config). ``digest`` is
    the identifier ``layer_digest`` reports; when None, the computed uncompressed digest is.
    """

    name: str
    open_raw: Callable[[], Source]
    digest: str | None = None
    raw_digest: str | None = None
    raw_size: int | None = None
    diff_id: str | None = None


class LayerStream:
    """The members of one layer in order; ``finish`` checks the stream ended whole and untampered.

    Member contents must be read before moving on (the stream cannot seek back).
    """

    def __init__(self, source: LayerSource, budget: Budget | None, *, verify: bool) -> None:
        self.source = source
        self._verify = verify
        self._raw = Meter(
            source.open_raw(), source.name, digest=source.raw_digest if verify else None
        )
        try:
            want_plain_hash = verify and (source.diff_id is not None or source.digest is None)
            self._plain = Meter(
                decompressed(self._raw, source.name),
                source.name,
                budget=budget,
                digest=(source.diff_id or "sha256:") if want_plain_hash else None,
            )
        except BaseException:
            self._raw.close()
            raise

    def members(self) -> Iterator[Member]:
        return tar_members(self._plain, self.source.name)

    def content(self, member: Member) -> Readable:
        """The data of the member just yielded by ``members``."""
        return _Content(self._plain, member, self.source.name)

    def finish(self) -> str | None:
        """Check the digests once the tar has ended; the computed uncompressed digest if any."""
        if not self._verify:
            return None
        self._plain.drain()
        self._raw.drain()
        src = self.source
        if src.raw_size is not None and self._raw.count != src.raw_size:
            raise CorruptArchive(f"{src.name}: {self._raw.count} bytes, expected {src.raw_size}")
        if src.raw_digest is not None and self._raw.hexdigest() != src.raw_digest:
            raise CorruptArchive(f"{src.name}: content does not match digest {src.raw_digest}")
        if src.diff_id is not None and self._plain.hexdigest() != src.diff_id:
            raise CorruptArchive(f"{src.name}: uncompressed content does not match {src.diff_id}")
        return self._plain.hexdigest() if src.diff_id is not None or src.digest is None else None

    def close(self) -> None:
        self._raw.close()

    def __enter__(self) -> LayerStream:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _Content:
    """Reads exactly one member's data; a short stream means the layer was truncated."""

    def __init__(self, stream: Meter, member: Member, name: str) -> None:
        stream.seek(member.offset)
        self._stream = stream
        self._left = member.size
        self._name = f"{name}: {member.name}"

    def read(self, size: int = -1, /) -> bytes:
        want = self._left if size is None or size < 0 else min(size, self._left)
        data = self._stream.read(want)
        if len(data) < want:
            raise CorruptArchive(f"{self._name}: layer ends inside this file (truncated)")
        self._left -= len(data)
        return data
