"""Why a target could not be opened. Every failure an opener reports is a ``TargetError``."""

from __future__ import annotations


class TargetError(Exception):
    """A target could not be opened or read as a whole."""


class TargetNotFound(TargetError):
    """The path of the target does not exist or cannot be read."""


class UnknownTargetKind(TargetError):
    """The target is neither a directory nor an archive kind Vigil recognises."""


class UnsupportedTarget(TargetError):
    """A recognised kind of target that this build cannot open (yet)."""


class MalformedTarget(TargetError):
    """The target's structure is invalid: bad JSON, a missing blob, an unusable descriptor."""


class CorruptArchive(MalformedTarget):
    """An archive or compressed stream is damaged, truncated, or fails its digest."""


class ImageNotFound(MalformedTarget):
    """No image in the target answers to the requested tag or platform."""


class LimitExceeded(TargetError):
    """The target is larger than a configured bound (entries, bytes); reading stopped."""


class SymlinkLoop(FileNotFoundError):
    """Resolving a path inside a target took more symlink hops than allowed.

    A ``FileNotFoundError`` so that catalogers treat it like any absent file.
    """


class UnreadableFile(OSError):
    """One file of a target is damaged (bad checksum, truncated member); the rest is readable.

    An ``OSError`` so that catalogers report it as an unreadable file, like any I/O failure.
    """


class AccessDenied(TargetError):
    """A registry refused the credentials given (or their absence)."""
