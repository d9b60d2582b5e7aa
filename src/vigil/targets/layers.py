"""One image layer as a source of tar members, read once, verified against its digests."""

from __future__ import annotations

import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import IO

from vigil.targets.errors import CorruptArchive
from vigil.targets.spill import Readable
from vigil.targets.streams import Budget, Meter, decompressed, forget_members


@dataclass(frozen=True, slots=True)
class LayerSource:
    """Where a layer's bytes come from and what they must hash to.

    ``raw_digest``/``raw_size`` describe the blob as stored (possibly compressed, as in an OCI
    manifest); ``diff_id`` is the digest of the uncompressed tar (docker's config). ``digest`` is
    the identifier ``layer_digest`` reports; when None, the computed uncompressed digest is.
    """

    name: str
    open_raw: Callable[[], IO[bytes]]
    digest: str | None = None
    raw_digest: str | None = None
    raw_size: int | None = None
    diff_id: str | None = None


class LayerStream:
    """The members of one layer in order; ``finish`` checks the stream ended whole and untampered.

    Member contents must be read before moving on (tar streams cannot seek back).
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
            self.tar = tarfile.open(fileobj=self._plain, mode="r|")  # noqa: SIM115
        except tarfile.TarError as exc:
            self._raw.close()
            raise CorruptArchive(f"{source.name}: not a tar stream ({exc})") from exc
        except BaseException:
            self._raw.close()
            raise

    def members(self) -> Iterator[tarfile.TarInfo]:
        try:
            while (member := self.tar.next()) is not None:
                yield member
                forget_members(self.tar)
        except tarfile.TarError as exc:
            raise CorruptArchive(f"{self.source.name}: damaged or truncated tar ({exc})") from exc

    def content(self, member: tarfile.TarInfo) -> Readable:
        fh = self.tar.extractfile(member)
        if fh is None:
            raise CorruptArchive(f"{self.source.name}: {member.name} has no content")
        return _TarErrors(fh, self.source.name)

    def finish(self) -> str | None:
        """Check the end-of-archive block and digests; the computed uncompressed digest if any."""
        if not self._plain.zeros_at(self.tar.offset, tarfile.BLOCKSIZE):
            raise CorruptArchive(
                f"{self.source.name}: tar stream ends without its end-of-archive block "
                f"after {self.tar.offset} bytes (truncated or damaged)"
            )
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


class _TarErrors:
    """A member's content whose read errors (truncation) surface as ``CorruptArchive``."""

    def __init__(self, inner: IO[bytes], name: str) -> None:
        self._inner = inner
        self._name = name

    def read(self, size: int = -1, /) -> bytes:
        try:
            return self._inner.read(size)
        except tarfile.TarError as exc:
            raise CorruptArchive(f"{self._name}: damaged or truncated tar ({exc})") from exc
