"""Errors of the advisories room.

::

    AdvisoryError                 root: catch this to handle any advisory failure
    ├── StoreError                the file is not an advisory store, or not this schema version
    ├── SourceError               a source could not deliver a usable blob; nothing was written
    │   ├── DownloadError         HTTP failed after retries, or the body was cut short
    │   └── CorruptArchive        the blob arrived but fails validation (zip CRC, checksum)
    └── SyncError                 applying a blob failed or was refused; the store is unchanged

Malformed single records are not errors: parsers yield ``ParseFailure`` values and the rest of
the blob is imported.
"""

from __future__ import annotations


class AdvisoryError(Exception):
    """Root of the advisories room's errors."""


class StoreError(AdvisoryError):
    """The advisory store cannot be opened as asked."""


class SourceError(AdvisoryError):
    """A source failed to fetch or read its data as a whole."""


class DownloadError(SourceError):
    """A download failed: connection errors, server errors or a truncated body."""


class CorruptArchive(SourceError):
    """Downloaded or local data failed its integrity check."""


class SyncError(AdvisoryError):
    """A sync was rolled back or refused; the store keeps its previous state."""
